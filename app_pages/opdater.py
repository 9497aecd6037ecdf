"""Opdater jeres oplysninger: an organisation corrects its own record from the signed link in an e-mail."""

from ui import update_form
from ui.notices import run_safely

run_safely(update_form.page)
