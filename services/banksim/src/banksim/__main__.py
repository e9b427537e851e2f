"""Run the bank simulator: ``python -m banksim`` (development only; state is in memory)."""

import logging
import sys

import uvicorn

from banksim.bank import Bank
from banksim.settings import BankSettings
from banksim.web import create_app


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = BankSettings()
    app = create_app(Bank(settings))
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
