"""One offer: everything known about it, its small map, and the way to it on the map (``?id=…``)."""

from ui import records
from ui.notices import run_safely

run_safely(lambda: records.offer(records.record_id()))
