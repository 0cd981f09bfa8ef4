from services.common.server.database import run_env
from services.auth.models import Base

run_env(Base.metadata)
