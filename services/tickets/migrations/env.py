from services.common.server.database import run_env
from services.tickets.models import Base

run_env(Base.metadata)
