"""`hallq kiosk`: run the print agent on the kiosk PC, beside its thermal printer."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from hardware.paper_profile import PAPER_PROFILES
from hardware.printer_spec import ACCEPTED_FORMS


@click.command(
    help="Print this kiosk's tickets: connect to the server with the kiosk's device token, "
    "print every job it sends on the printer SPEC, and report the printer's state."
)
@click.option("--server", required=True, help="the hall server, e.g. http://10.0.0.2:5000")
@click.option(
    "--token",
    required=True,
    envvar="HALLQ_KIOSK_TOKEN",
    help="the kiosk's device token (or HALLQ_KIOSK_TOKEN)",
)
@click.option("--printer", "printer_spec", required=True, help=f"one of: {ACCEPTED_FORMS}")
@click.option(
    "--paper", type=click.Choice(sorted(PAPER_PROFILES)), default="80mm", show_default=True
)
@click.option(
    "--health-interval",
    type=click.FloatRange(min=1.0),
    default=30.0,
    show_default=True,
    help="seconds between status reports to the server when nothing changes "
    "(the printer itself is asked every 5 s; a change is reported at once)",
)
@click.option(
    "--printed-jobs-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="remember printed job ids here, so a restart never prints a ticket twice",
)
@click.option("--verbose", is_flag=True, help="log every job and status report")
def command(
    server: str,
    token: str,
    printer_spec: str,
    paper: str,
    health_interval: float,
    printed_jobs_file: Path | None,
    verbose: bool,
) -> None:
    from hardware.printer_errors import PrinterError
    from hardware.ticket_printer import TicketPrinter
    from kiosk.print_agent import AgentRefused, PrintAgent, PrintedJobs

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,  # python-escpos installs a root handler when imported
    )
    try:
        printer = TicketPrinter.from_spec(printer_spec, paper)
    except (ValueError, PrinterError) as error:
        raise click.BadParameter(str(error), param_hint="--printer") from None
    try:
        printed = PrintedJobs(printed_jobs_file)
    except (OSError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--printed-jobs-file") from None
    agent = PrintAgent(server, token, printer, health_interval=health_interval, printed=printed)
    click.echo(f"HallQ print agent: {printer_spec} ({paper}) for {server}", err=True)
    try:
        agent.run()
    except AgentRefused as refused:
        click.echo(f"the server refused this kiosk: {refused}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        agent.stop()
