"""Start the service: `python -m service [--host H] [--port P] [--no-auth] [--model DIR]`."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError
from pydantic_settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service", description="medcash-audit HTTP API and moderators' page"
    )
    parser.add_argument("--host", help="bind address (default 127.0.0.1 or MEDCASH_SERVICE_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8000 or MEDCASH_SERVICE_PORT)")
    parser.add_argument("--no-auth", action="store_true", help="disable API keys (local use only)")
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    args = parser.parse_args(argv)

    # Settings first, the app (model, torch, uvicorn) after: a bad setting is reported in a moment.
    from service import log_format
    from service.settings import ServiceSettings

    log_format.configure()
    overrides = {
        k: v for k, v in (("host", args.host), ("port", args.port), ("model_path", args.model)) if v is not None
    }
    if args.no_auth:
        overrides["auth_enabled"] = False
    try:
        settings = ServiceSettings(**overrides)
    except ValidationError as exc:
        print("invalid settings:", file=sys.stderr)
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "settings"
            env = f" (MEDCASH_SERVICE_{where.upper()})" if where != "settings" else ""
            print(f"  {where}{env}: {error['msg']}", file=sys.stderr)
        return 2
    except SettingsError as exc:  # a value the environment source itself could not decode
        print(f"invalid settings: {exc}", file=sys.stderr)
        return 2
    if not settings.auth_enabled:
        print(f"*** WARNING: authentication is DISABLED; anyone who can reach {settings.host}:{settings.port} can use the API ***",
              file=sys.stderr)  # fmt: skip
    print(f"feedback database: {settings.database_url}", file=sys.stderr)
    import uvicorn

    from service.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
