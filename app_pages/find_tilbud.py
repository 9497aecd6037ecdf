"""Find et tilbud: the nearest offers that fit one citizen, and a handout to print (social prescribing)."""

from ui import find_offer
from ui.notices import run_safely

run_safely(find_offer.page)
