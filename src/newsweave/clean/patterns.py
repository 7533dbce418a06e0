"""What news boilerplate looks like: the patterns the cleaning rules match, and the
measures of a block they read (its words, whether it is headline-like, ends a sentence).

The decisions (which pattern, on which block, gives which reason code) are in
:mod:`newsweave.clean.rules`, which also re-exports the public names here. Like the
rules, the patterns describe news pages in general; none names a site, outlet or person.
"""

from __future__ import annotations

import re
from functools import lru_cache

# -- helpers ---------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_QUOTES = "\"'“”‘’«»„"
_CLOSERS = _QUOTES + ")]"
_ENDS_SENTENCE = re.compile(r"[.!?…][" + re.escape(_CLOSERS) + r"]*\s*$")
_SENTENCE_END = re.compile(r"[.!?…;:][" + _QUOTES + r")\]]*$")
# A sentence boundary inside a block: two lower-case letters, then . ! or ? and a capital
# ("in 2019. The" does not count, "said. The" does); abbreviations ("U.S. Army") do not.
_INNER_SENTENCE = re.compile(
    r"[a-z]{2}(?<!\bvs)(?<!\betc)(?<!\bno)(?<!\bst)(?<!\bft)(?<!\bal)(?<!\bapprox)(?<!\bincl)"
    r"[.!?][" + _QUOTES + r")]*(?:\s+[A-Z" + _QUOTES + r"]|[A-Z][a-z])"
)


@lru_cache(maxsize=1 << 13)
def count_words(text: str) -> int:
    """Number of word tokens in ``text``. (Remembered: the strong rules and the sieve's
    passes ask it of the same blocks again and again.)"""
    return len(_WORD.findall(text))


@lru_cache(maxsize=1 << 13)  # the sieve asks it of the same blocks in several passes
def is_headline_like(text: str, max_words: int = 20) -> bool:
    """True for a short line without a final full stop: a headline, heading or label.

    >>> is_headline_like("Russia Takes Control of Vuhledar After Two Years")
    True
    >>> is_headline_like("The sides agreed to increase exchanges.")
    False
    """
    stripped = text.strip().rstrip(_CLOSERS)
    if not stripped or not 1 <= count_words(stripped) <= max_words:
        return False
    if _INNER_SENTENCE.search(stripped):
        return False
    return stripped.endswith(("...", "…", "?", "!")) or not _SENTENCE_END.search(stripped)


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends like a sentence (full stop, ?, !, closing quote after them)."""
    return bool(_ENDS_SENTENCE.search(text))


def _full(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """A pattern that must match a whole block, trailing punctuation allowed."""
    return re.compile(rf"^\W*(?:{pattern})\s*[.:!…|>»\-–—*]*\s*$", flags)


# -- ad markers and widgets ------------------------------------------------------------

_AD_MARKER = _full(
    r"advertisements?|advertising|advert|ads?|sponsored(?: (?:content|links?|stories|post))?"
    r"|paid (?:content|post|partnership)|promoted(?: content| stories)?|partner content"
    r"|anzeige|werbung|publicidad|publicité|pubblicità|publicidade|реклама"
    r"|(?:the )?(?:story|article|content) continues (?:below|after)"
    r"(?: (?:this )?(?:advertisement|ad|gallery|video))?"
    r"|continue reading(?: (?:below|the main story))?|scroll to continue(?: with content)?"
    r"|skip (?:this )?ad(?:vertisement)?"
)

# Words of share bars; a short block made only of these (in any order) is a widget.
_SHARE_WORDS = re.compile(
    r"qr ?code"
    r"|\b(?:share(?: (?:on|via|to|this(?: (?:article|story|page|post|video))?))?|shares|sharing"
    r"|tweet(?: this)?|e-?mail(?: this(?: (?:article|story|page))?)?"
    r"|print(?: this(?: page| article)?)?|facebook|twitter|linkedin|whatsapp|pinterest|reddit"
    r"|telegram|messenger|flipboard|tumblr|pocket|copy (?:link|url)|link copied|click to share"
    r"|save(?: for later| article)?|gift (?:this )?article|send|x|vk|weibo|wechat)\b",
    re.IGNORECASE,
)
_SHARE_PROMPT = re.compile(
    r"^\W*(?:like this (?:story|article)\?\s*)?share (?:it|this(?: story| article)?)"
    r" with (?:a|your) friends?\W*$|^\W*(?:please )?share this (?:article|story)\W*$",
    re.IGNORECASE,
)

_GALLERY = re.compile(
    r"^\W*(?:(?:photo|image|slide|picture|foto|bild)\s*)?\d{1,3}\s*(?:of|/|von|de|di)\s*\d{1,3}"
    r"\s*(?:\||:|-|–|$)"
    r"|^\W*(?:license photo|view (?:the )?(?:full )?gallery|enlarge (?:this )?image|expand"
    r"|open gallery|view slideshow|launch gallery|click to enlarge|zoom)\W*$",
    re.IGNORECASE,
)

# -- captions and credits --------------------------------------------------------------

_AGENCY = (
    r"Reuters|REUTERS|AP|AFP|EPA|EPA-EFE|UPI|Xinhua|ANSA|dpa|PA(?: Wire)?|Bloomberg"
    r"|Getty Images|Getty|Shutterstock|Alamy|iStock(?:photo)?|AAP|TASS|Sputnik|Anadolu Agency"
    r"|NurPhoto|SOPA Images|LightRocket|Corbis|Invision"
)
_PHOTO_WORD = r"(?i:photo|photograph|picture|image|pic|foto|bild)s?"
_NAME = r"[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|van|von|da|al|for|of|the|via))*"
# Where a credit may start: the start of the block, a sentence end, a bar, a dash or "(".
_SEGMENT = r"(?:^|[.!?…][" + _QUOTES + r"]?\s+|\|\s*|\s[-–—]\s+|\()"
_CREDIT_TAIL = re.compile(
    _SEGMENT + r"(?:"
    # "REUTERS/Jane Roe", "EPA-EFE/STR"
    r"[A-Z][A-Z-]+(?:/" + _NAME + r")+"
    # "Photo by Pool/AFP", "Photo: AP", "Image credit: NASA", "Photo courtesy of X"
    r"|" + _PHOTO_WORD + r"(?:\s+(?i:credit))?(?:\s*:|\s+(?i:by|courtesy(?: of)?|credit))"
    r"\s*[^.!?]{1,60}"
    # "(AP Photo/Evan Vucci)", "(Photo: AP)"
    r"|(?:[A-Z][\w.]* )?" + _PHOTO_WORD + r"\s*[:/][^()]{1,60}\)"
    # "... 2019. © Jane Roe"
    r"|©\s*[^.!?]{1,60}"
    r")\W{0,3}$"
)
# An agency alone after a caption sentence: ". Getty Images", ". AFP via Getty Images". Wire
# copy ends paragraphs with "- AFP" too, so a dash does not count here, nor does a quotation.
_AGENCY_TAIL = re.compile(
    r"(?:[.!?…][" + _QUOTES + r"]?\s+|\|\s*)"
    r"(?:" + _AGENCY + r")(?:\s*(?:/|via|for)\s*[\w .'’-]{1,40})?\W{0,3}$"
)
# A credit glued to the end of a caption sentence: "...in New York.Reuters".
_GLUED_CREDIT = re.compile(r"[a-z][.!?][" + _QUOTES + r"]?(?:" + _AGENCY + r")\W{0,2}$")
_PHOTO_COPYRIGHT = re.compile(
    r"\b(?:photos?|images?|pictures?|fotos?)\s*(?:©|\(c\)|copyright)", re.IGNORECASE
)
# "Copyright 2019 X", "© X", "Copyright ⓒ X": a year or a name right after the sign
_COPYRIGHT = re.compile(
    r"^\W*(?:copyright|©|ⓒ|\(c\))\s*(?:©|ⓒ|\(c\))?\s*(?:\d{4}|(?-i:[A-Z]))"
    r"|\ball rights reserved\b",
    re.IGNORECASE,
)
_COPYRIGHT_WORDS = ("copyright", "©", "ⓒ", "(c)", "all rights reserved")
_REPRINT_NOTICE = re.compile(
    r"\bthis (?:copy|material|article) is for your personal,? non-commercial use"
    r"|\bmay not be (?:published|reproduced|redistributed),? broadcast"
    r"|\bdistribution and use of this material (?:are|is) governed",
    re.IGNORECASE,
)
_REPRINT_WORDS = ("non-commercial use", "may not be", "distribution and use of this material")
# A credit line on its own: "Getty Images", "AFP/Jane Roe", "Photo: Jane Roe", "Jane Roe/AP".
_STANDALONE_CREDIT = re.compile(
    r"^\W*(?:(?:" + _AGENCY + r")(?:\s*(?:/|via|for)\s*[\w .'’-]{1,40})?"
    r"|"
    + _PHOTO_WORD
    + r"(?:\s+(?i:by|credit|courtesy(?: of)?))?\s*:?\s*"
    + _NAME
    + r"(?:\s*/\s*[\w .'’-]{1,40})?"
    r"|" + _NAME + r"\s*/\s*(?:" + _AGENCY + r"))\W*$"
)
_MAX_CAPTION_WORDS = 70
# What the caption patterns need (see _needs): every alternative names an agency (as written,
# _AGENCY has no case flag; "EPA", "AAP", "SOPA" hold "PA" or "AP"), a photo word ("photograph"
# holds "photo", "picture" "pic"), a "/" or a "©".
_AGENCY_WORDS = ("AP", "PA", "AFP", "UPI", "ANSA", "TASS", "Reuters", "REUTERS", "Xinhua", "dpa",
                 "Bloomberg", "Getty", "Shutterstock", "Alamy", "iStock", "Sputnik", "Anadolu",
                 "NurPhoto", "LightRocket", "Corbis", "Invision")
_AGENCY_HINT = re.compile("|".join(map(re.escape, _AGENCY_WORDS)))
_CAPTION_WORDS = ("/", "©", "photo", "pic", "image", "foto", "bild")

# -- prompts, forms and end matter ------------------------------------------------------

_NEWSLETTER = re.compile(
    r"^\W*(?:click here to |please |tap here to )?(?:subscribe|sign up|sign-up|signup)\b"
    r"(?=.*\b(?:newsletters?|inbox|e-?mail (?:updates|alerts|list)|alerts|our|here|today|youtube"
    r"|channel|podcast|to (?:get|receive)))"
    r"|^\W*(?:[\w'’&-]+ ){0,5}newsletters?\W*$"
    r"|(?:^|[.!?]\s+)(?:sign up|subscribe) (?:for|to) [^.]{0,40}newsletters?\b"
    r"|\b(?:delivered|straight|right|directly|sent) (?:to|in|into|through) your (?:e-?mail )?"
    r"(?:inbox|letterbox|mailbox|door|doorstep)"
    r"|\bthanks? (?:you )?for (?:signing up|subscribing)|\berror processing your subscription"
    r"|\benter your e-?mail(?: address)?|\bkeep an eye on your inbox"
    r"|^\W*(?:get|download) (?:the|our) [\w\s]{0,30}\bapp\b"
    r"|\bclick here to get the [\w\s]{0,30}app\b"
    r"|^\W*(?:click|tap) here (?:for more|to read more)\W*$"
    r"|\bget [\w\s]{0,40} on the go\b"
    # paywall and registration prompts ("Support local journalism. Subscribe to X today.")
    r"|\bsupport (?:real|local|quality|independent|trusted) journalism\b"
    r"|\bthank you for supporting (?:real |local |quality |independent )?journalism\b"
    r"|\byour (?:digital )?subscription (?:to [\w\s.'’-]{1,60} )?(?:funds|supports|makes)\b"
    r"|^\W*(?:read|get|enjoy) (?:\d+ |additional |more |unlimited )+(?:free )?articles\b"
    r"|^\W*once registered,? you can\b|^\W*register now\W*$|\bby registering,? you agree\b"
    r"|\bare you a print subscriber\b",
    re.IGNORECASE,
)
_MAX_PROMPT_WORDS = 45
# Words one of _NEWSLETTER's alternatives needs (lower-cased): an ASCII block holding none of
# them cannot match, and most body paragraphs hold none. Searching the twenty alternatives
# from every character of every paragraph was the costliest rule left.
# A hint is a piece of one alternative, with a word boundary after it only where the
# alternative has one there ("\\bapp\\b" needs "app\\b"; "[^.]{0,40}newsletters?" needs
# "newsletter" alone). None starts with "\\b": that would stop the quick scan for the
# alternatives' first letters and cost more than the blocks it turns away.
_NEWSLETTER_HINT = re.compile(
    r"subscri|sign|newsletter|your\b|app\b|click|tap|on the go\b|journalism|articles\b"
    r"|register"
)

# Comment-form furniture: anywhere in a block of prompt length ...
_COMMENT_FORM = re.compile(
    r"your email address will not be published|required fields are marked"
    r"|save my name, email|must be logged in to post a comment|^\W*notify me of (?:new|follow-up)"
    r"|^\W*(?:leave|post|add|write|submit) a (?:reply|comment|response)\W*$"
    r"|^\W*(?:your )?(?:name|e-?mail(?: address)?|website|comment|message)\s*(?:\*|:\s*\*)\W*$",
    re.IGNORECASE,
)
# What one of _COMMENT_FORM's alternatives needs (see _needs).
_COMMENT_FORM_WORDS = ("will not be published", "required fields are marked", "save my name",
                       "logged in", "notify me", "a reply", "a comment", "a response", "*")
# ... and short prompts and counters, which must be the whole of a short block.
_COMMENT_PROMPT = _full(
    r"\d*\s*(?:comments?|responses?|replies|comentários|comentarios|commenti|kommentare"
    r"|commentaires|reacties|комментари[йия])\W*\d*"
    r"|(?:show|view|hide|load|read|see|join|add) (?:all |the )?(?:\d+ )?(?:comments?|discussion"
    r"|conversation)|be the first to comment|comments are closed|cancel reply"
    r"|(?:tell us|let us know) what you think(?: in the comments)?(?:\.\.\.)?"
    r"|what do you think\?|(?:share|leave) your (?:thoughts|comments|views)(?: below)?"
    r"|have your say|join the (?:conversation|discussion)"
)
# "Comments with offensive text will not be approved by the moderator", in a few languages.
_COMMENT_POLICY = re.compile(
    r"\b(?:comments|comentários|comentarios|commenti|kommentare|commentaires)\b.*"
    r"\b(?:moderat\w*|(?:will|won[’']t|shall) not be (?:approved|published)|não serão"
    r"|no serán|non (?:saranno|verranno)|werden nicht)",
    re.IGNORECASE,
)

_SOCIAL_FOLLOW = re.compile(
    r"^\W*follow (?:us|him|her|them|me|[\w.@'’ ]{1,40}?) (?:on|at|via) "
    r"(?:twitter|facebook|instagram|linkedin|youtube|tiktok|x|threads|bluesky|telegram)\b"
    r"|\bfollow (?:us|him|her|them|me) (?:on (?:twitter|x|instagram) )?@\w+"
    r"|^\W*(?:find|like) us on (?:facebook|instagram|twitter)",
    re.IGNORECASE,
)

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_QUOTATION = re.compile('["“”«»„]')
_CONTACT = re.compile(
    rf"^\W*(?:write to|e-?mail|contact|reach) [^.]{{1,60}}?\b(?:at|:)\s*{_EMAIL}"
    r"|\b(?:may|can) be reached at\b|^\W*have a (?:news )?tip\?"
    r"|^\W*send (?:us )?(?:your )?(?:news )?tips? to",
    re.IGNORECASE,
)

_CREDIT_LINE = re.compile(
    r"\bcontributed (?:reporting )?to this (?:report|article|story)\W*$"
    r"|^\W*(?:additional )?(?:reporting|writing|editing) by [^.]{1,120}$"
    r"|^\W*(?:compiled|edited) by [A-Z][^.]{1,80}$",
    re.IGNORECASE,
)

_CREDIT_LINE_WORDS = ("contributed", "reporting", "writing", "editing", "compiled", "edited")

_BIO_ROLE = (
    r"reporter|writer|journalist|editor|correspondent|columnist|contributor|producer|author"
    r"|freelancer?|blogger|curator|intern|photographer|presenter|anchor|staffer"
)
# "Jane Roe is a reporter covering ...", "X is the site's deal curator and ..."
_AUTHOR_BIO = re.compile(
    rf"^\W*(?:[A-Z][\w.'’-]+ ){{1,4}}(?:is|was|has been|serves as) (?:a|an|the|[\w.'’-]+['’]s)"
    rf" (?:[\w-]+ ){{0,5}}(?:{_BIO_ROLE})s?(?:\s+(?:at|for|with|covering|based|who|and|in)\b|\W*$)"
    r"|^\W*(?i:about the author)\W*$"
)
# "With a wealth of experience ... I bring a seasoned voice", "I work as a freelance writer";
# only where nobody is quoted, as a quotation in the first person is article text
_FIRST_PERSON_BIO = re.compile(
    r"\bexperience\b[^.]{0,80}\bI bring\b|\bI (?:work as|am) an? (?:[\w-]+ ){0,2}(?:"
    + _BIO_ROLE
    + r")\b"
)

_STORY_CODE = re.compile(
    r"^\W*(?:story|news|article|post|content|item|doc(?:ument)?)\s*(?:code|id|no\.?|number|#)"
    r"\s*[:#]?\s*[\w-]{1,20}\W*$",
    re.IGNORECASE,
)

_LABELS = (
    r"(?:news )?links?|source|sources|tags?|topics?|keywords?|categor(?:y|ies)|filed under"
    r"|share(?: this)?|print|e-?mail|comments?|posted in|related|read more|follow us|more"
    r"|photos?|video|audio|credits?|see also"
)
_EMPTY_LABEL = re.compile(rf"^\W*(?:{_LABELS})\s*:\s*$", re.IGNORECASE)
_ANY_EMPTY_LABEL = re.compile(r"^\W*[\w’'.&-]+(?: [\w’'.&-]+){0,3}\s*:\s*$")

_TAGS = re.compile(
    r"^\W*(?:tags?|tagged(?: with| as)?|topics?|keywords?|filed under|categories|category"
    r"|posted in|etiquetas|schlagworte|themen)\s*[:|]\s*\S.{0,300}$",
    re.IGNORECASE | re.DOTALL,
)
_TAG_HEADING = _full(r"tags?|topics?|keywords?|related topics|related tags")

_URL = r"(?:https?://|www\.)\S+"
_BARE_LINK = re.compile(rf"^(?:\W*(?:[\w-]+:?\s+){{0,2}}(?:{_URL}|{_EMAIL}))+\W*$", re.IGNORECASE)

_SITE_NOTICE = _full(
    r"order reprints?|print article|print this (?:article|page)|reprints?(?: & permissions)?"
    r"|an error has occurred,? please try again(?: later)?|this article has been sent to"
    r"|thanks for reading|something went wrong.{0,40}"
    r"|(?:please )?enable javascript.{0,80}|loading|close|menu|back to top"
    r"|skip to (?:main )?content|(?:text|font) size"
    r"|listen to (?:this|the) (?:article|story)(?: \d+ min(?:utes?)?)?"
    r"|\d+ min(?:ute)? read|reading time:? \d+ min(?:utes?)?"
)

_BYLINE_NAMES = re.compile(
    # "By Jane Roe and John Doe, Reuters": names, joiners and at most a short affiliation
    r"^\W*(?i:by|von|por|par|di|door|av)\s+[A-Z][\w.'’-]*(?:[\s,|&/–—-]+(?:[A-Z][\w.'’-]*|and"
    r"|de|van|der|von|da|dos|del|la|le|du|al|bin|the|in|for|at|staff|writer|reporter"
    r"|correspondent|\d{1,2}:\d{2}))*\W*$"
)
_PUBLISHING_DETAILS = re.compile(
    # "05/10/2018 - Published by: Jane Roe - Category: Health - Tags: x". Both lookaheads
    # start at a line's start: from there they see all that they would from any later
    # position of the line, and the search does not rescan the line from each character.
    r"(?m:^)(?=.*\b(?:published|posted|publicado|publié|veröffentlicht|written|updated|atualizado)\b)"
    r"(?=.*\b(?:by|por|par|von|categor(?:y|ia|ie)|tags?|em)\s*:)"
    r"|^\W*(?:published|posted|publicado|publié|veröffentlicht|updated)(?: [\w,]+){0,5} by\b",
    re.IGNORECASE,
)
_MAX_BYLINE_WORDS = 25
# What _BYLINE_NAMES needs at its start, and the words each _PUBLISHING_DETAILS alternative
# needs (see _needs).
_BYLINE_START = re.compile(r"^\W*(?i:by|von|por|par|di|door|av)\s+[A-Z]")
_PUBLISHING_WORDS = ("published", "posted", "publicado", "publié", "veröffentlicht", "written",
                     "updated", "atualizado")

# -- related-article pointers --------------------------------------------------------------

_RELATED_HEADINGS = (
    r"related(?: [\w-]+){0,2}|read (?:more|also|next|this)|also read|see (?:more|also)"
    r"|more (?:stories|news|articles|headlines|videos|like this|to (?:read|explore))"
    r"|more (?:from|in|about) [^.!?]{1,40}|more on (?:this|that|these) (?:story|stories|topics?)"
    r"|latest(?: (?:headlines|news|stories|articles|videos|posts|updates))?(?: from [^.!?]{1,30})?"
    r"|top (?:stories|news|headlines)|most (?:popular|read|viewed|shared|watched)(?: [^.!?]{1,30})?"
    r"|popular (?:on|in) [^.!?]{1,30}|popular (?:stories|articles|posts|now)|popular"
    r"|trending(?: now| stories| on [^.!?]{1,30})?|you (?:may|might) also (?:like|be interested in)"
    r"|recommended(?: for you| stories| reading| articles)?|don[’']?t miss(?: this)?|must read"
    r"|what to read next|up next|further reading|in case you missed it|editor[’']?s picks?"
    r"|other (?:stories|news|articles)|similar (?:stories|articles|posts)|explore more"
    r"|leia (?:também|mais)|veja (?:também|mais)|lee (?:también|más)|lire aussi|à lire aussi"
    r"|lesen sie (?:auch|mehr)|mehr zum thema|leggi anche(?: su)?|ver también|читайте также"
)
_RELATED_HEADING = _full(_RELATED_HEADINGS)
# A one-line pointer: "Related: X", "READ MORE: X", "(Leggi anche su: X)", "[Related: X]".
_RELATED_POINTER = re.compile(
    rf"^(?:{_RELATED_HEADINGS}|watch|listen|also|see|more)\s*(?::|>|»|\|)\s*(?P<rest>\S.*)$"
    r"|^also on \S+\.\w+\s+(?P<rest2>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


@lru_cache(maxsize=1 << 12)  # the sieve asks it of every block left, in every sift
def is_related_heading(text: str) -> bool:
    """True for a heading that introduces other articles ("Related posts", "Latest Headlines")."""
    # the anchored pattern first: it turns a body paragraph away at its first words, where
    # counting the words reads all of them
    return bool(_RELATED_HEADING.match(text)) and count_words(text) <= 8


def is_related_pointer(text: str) -> bool:
    """True for a one-line pointer to another article ("Read more: <headline>")."""
    match = _RELATED_POINTER.match(text.strip().strip("()[]{} "))
    if match is None:
        return False
    rest = match["rest"] or match["rest2"] or ""
    return count_words(rest) <= 30 and not _INNER_SENTENCE.search(rest.rstrip(".!? "))


@lru_cache(maxsize=1 << 12)  # (as is_related_heading)
def is_tag_heading(text: str) -> bool:
    """True for a 'Tags' / 'Topics' heading that a list of tags follows."""
    return bool(_TAG_HEADING.match(text))
