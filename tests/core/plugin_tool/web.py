from typing import Annotated

from fastapi import APIRouter, Depends

from heroes.core.auth import Principal, Require

router = APIRouter()


@router.get("/api/plugintest/hello")
def hello(user: Annotated[Principal, Depends(Require("plugintest:use"))]) -> dict[str, str]:
    return {"hello": user.actor}
