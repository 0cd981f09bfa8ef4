from services.common.server.database import run_env
from services.files.models import Base

run_env(Base.metadata)
