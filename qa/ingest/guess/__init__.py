"""What a user's file says about itself, read as a person reads a title page: the partnership (so the
area and often the nation), the review type (so the document kind and the nation it implies), the
child's pseudonym, the publication year, and the children's ages and sex from the opening account.

    guess = guess_metadata(text, sections, pages)      # -> Guess
    guess.title          "2024 – Rushmere – Baby Isaac" (the collection's YEAR – AREA – NAME)
    guess.sources        {"area": "cover lines 1-2", "year": "cover line 7", ...}

Every field records where it came from, and nothing is invented: a field the document does not state
is None ("unknown" for the sex). The guesses are shown to the user, and every one can be given instead.

Where each field is looked for, in order:
  * the cover: the title page's lines (page 1 of a PDF whose first page is a cover, else the short
    lines before the first heading, contents list or paragraph of prose);
  * the running heads and footers taken out of the text (a partnership may be named only in a
    "© Westmere SCP" line);
  * the introduction: the opening pages after the cover (contents lists left out), for a year given
    only as "published on 22 February 2022", the child's age and sex, and as a last resort the
    partnership or the nation its legislation implies;
  * the file name, for the kind ("exec summary") and the child's name.
"""

from __future__ import annotations

from .naming import catalogue_title, name_from_title, title_from_file_name
from .places import place_of
from .reading import guess_metadata, guess_parsed
from .record import FIELDS, FILL_IN, Guess

__all__ = ["FIELDS", "FILL_IN", "Guess", "catalogue_title", "guess_metadata", "guess_parsed", "name_from_title",
           "place_of", "title_from_file_name"]
