"""What a worker prints is scrubbed: log messages, their tracebacks, and raw stderr."""

from __future__ import annotations

import io
import logging

from transforms.common.scrubbed_output import ScrubbingStream, add_scrubbing

ADDRESS = "jane.roe@posteo.de"
CARD = "4111 1111 1111 1111"


def test_a_stream_write_is_scrubbed_and_the_rest_passes_through():
    target = io.StringIO()
    stream = ScrubbingStream(target)
    assert stream.write(f"failed on {ADDRESS}\n") == len(f"failed on {ADDRESS}\n")
    stream.flush()
    assert target.getvalue() == "failed on <EMAIL_ADDRESS>\n"
    assert stream.getvalue() == target.getvalue()  # other attributes are the wrapped stream's


def test_log_messages_arguments_and_tracebacks_are_scrubbed():
    target = io.StringIO()
    handler = logging.StreamHandler(target)
    add_scrubbing(handler)
    add_scrubbing(handler)  # idempotent
    assert len(handler.filters) == 1
    logger = logging.getLogger("test_scrubbed_output")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"cannot parse {ADDRESS}")
        except ValueError:
            logger.exception("record %s with card %s", "p-1", CARD)
    finally:
        logger.removeHandler(handler)
    shown = target.getvalue()
    assert "record p-1 with card <NUMBER>" in shown
    assert "ValueError: cannot parse <EMAIL_ADDRESS>" in shown
    assert ADDRESS not in shown and CARD not in shown
