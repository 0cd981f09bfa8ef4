from services.common.server.runner import run_service
from services.auth.server import build

if __name__ == "__main__":
    run_service("auth", build)
