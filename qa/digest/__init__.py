"""What the reviews say: a cited digest of the learning across the reviews that answer a question.

    clauses.py   a document's learning, recommendations and good practice as verbatim clauses
    profile.py   the matching set counted by outcome, age group, sex, year, nation and region
    themes.py    clauses -> practice themes (themes.tsv, then clustering), quotes chosen by MMR
    digest.py    make_digest(): the set, its profile and its themes; Digest.to_json() is the contract

Nothing here writes text: every quote is `document.text[start:end]`, every label is a curated
theme or words taken from the clauses themselves.
"""

from .clauses import GOOD_PRACTICE, KINDS, LEARNING, RECOMMENDATION, Clause, document_clauses
from .digest import DEFAULT_LIMIT, MAX_LIMIT, Digest, check_limit, how_chosen, make_digest
from .profile import Profile, make_profile
from .themes import Quote, Theme, ThemeSettings, load_catalogue

__all__ = ["DEFAULT_LIMIT", "GOOD_PRACTICE", "KINDS", "LEARNING", "MAX_LIMIT", "RECOMMENDATION", "Clause", "Digest",
           "Profile", "Quote", "Theme", "ThemeSettings", "check_limit", "document_clauses", "how_chosen",
           "load_catalogue", "make_digest", "make_profile"]
