"""Søg: organisations, offers and collaborations by name, CVR, place or word, each linked to its page."""

from ui import search
from ui.notices import run_safely

run_safely(search.page)
