from services.common.server.runner import run_service
from services.tickets.server import build

if __name__ == "__main__":
    run_service("tickets", build)
