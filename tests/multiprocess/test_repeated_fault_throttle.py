"""The throttle for library faults that repeat while Redis is away, over a simulated hour: a
line when it starts, a reminder every 5 minutes, a line when it ends; other lines untouched.
(Real loggers and a real handler; only the clock and the "is it over" answer are the test's.)"""

from __future__ import annotations

import io
import logging

from hall_server.logging_setup import REDIS_FAULTS, RepeatedFaultThrottle


def test_a_fault_repeating_for_an_hour_logs_its_start_twelve_reminders_and_its_end() -> None:
    seconds = [0.0]
    redis_back = [False]
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    throttle = RepeatedFaultThrottle(
        REDIS_FAULTS, works=lambda _fault: redis_back[0], monotonic=lambda: seconds[0]
    )
    handler.addFilter(throttle)
    loggers = [logging.getLogger(name) for name in ("socketio.server", "flask-limiter", "app")]
    root = logging.getLogger()
    # This handler alone: one an earlier test's app left on the root logger has its own
    # throttle, which rewrites the records it lets through before this one sees them.
    others = root.handlers[:]
    root.handlers = [handler]
    try:
        for tick in range(3600):  # one event a second for an hour, Redis away
            seconds[0] = float(tick)
            loggers[0].error("Cannot publish to redis... retrying", extra={"redis_exception": "x"})
            loggers[0].error("Cannot publish to redis... giving up", extra={"redis_exception": "x"})
            try:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")
            except ConnectionError:
                loggers[1].exception("Failed to rate limit. Swallowing error")
        redis_back[0] = True
        seconds[0] = 3610.0
        loggers[2].warning("an ordinary line")
    finally:
        root.handlers = others

    lines = output.getvalue().splitlines()
    publishing = [line for line in lines if "publishing live events to Redis" in line]
    limiting = [line for line in lines if "rate limiting through Redis" in line]
    for fault_lines in (publishing, limiting):
        assert " is failing: " in fault_lines[0]
        assert sum(" still failing since " in line for line in fault_lines) == 11
        assert " works again after failing " in fault_lines[-1]
        assert len(fault_lines) == 13
    assert "after failing 7200 times" in publishing[-1]
    assert output.getvalue().count("Traceback") == 1  # the first failure's, once
    assert "Cannot publish" not in output.getvalue() and "Swallowing" not in output.getvalue()
    assert lines[-1] == "app an ordinary line"
