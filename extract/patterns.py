"""The language cues the extractor reads, in one place: English, not facts about any payer.

Each pattern is a compiled regular expression over normalised text (marks dropped, single
spaces). Thresholds that steer the structural reading are named constants with their reason.
"""

from __future__ import annotations

import re

from .prefilter import prefilter_module

# -- thresholds ---------------------------------------------------------------------------------------
#: A label (heading, table cell, list item that names something) has at most this many words; longer
#: text is a sentence to be read, not a name.
LABEL_MAX_WORDS = 12
#: A service name longer than this many words is a description, not a name: it is cut at its
#: first colon or parenthesis ("Advanced imaging: CT, MRI, …" → "advanced imaging").
SERVICE_MAX_WORDS = 9
#: Characters of the document searched for its payer (title, first paragraphs, furniture).
PAYER_SEARCH_CHARS = 6000
#: A vendor or payer name has at most this many words.
NAME_MAX_WORDS = 7
#: A section heading read as what a bare requirement sentence under it is about ("Oral surgery
#: rendered as part of an inpatient stay") has at most this many words.
HEADING_LABEL_MAX_WORDS = 10

# -- membership ------------------------------------------------------------------------------------
EXCEPT_RE = re.compile(
    r"\bexceptions?\s*:\s*|\bnot\s+included\s*:\s*|\bexcludes?\s*:\s*|\bexcept(?:\s+for)?\s+|"
    r"\bexcluding\s+",
    re.I,
)
#: "Excludes members of …", "Not included: …": the people named after it are left out
EXCLUDES_START_RE = re.compile(r"^\s*(?:excludes|excluding|excluded|not\s+included|does\s+not\s+include)\s*:?\s+", re.I)
INCLUDES_RE = re.compile(r"(?:^|[\s,.;(])(?:includes|including)\s+", re.I)
ONLY_RE = re.compile(r"\bonly\b", re.I)
#: "provides these services to …", "provides service for the following groups": the section's own services
#: delegated, not a partner's program described
SERVICES_REFERRED_RE = re.compile(
    r"\b(?:these|those|such|this|the\s+above)\s+services?\b|\bservices?\s+(?:for|to)\s+the\s+following\b|"
    r"\bfor\s+the\s+following\s+(?:groups|members|plans|products|lines)\b",
    re.I,
)
#: a footnote that scopes who is meant ("*Commercial members only", "¹Applies to …, except …"), not one that
#: defines a word ("*For self-funded plans, the employer assumes the risk …")
NOTE_SCOPES_RE = re.compile(r"\b(?:only|except|excluding|excludes|applies|apply|available|eligible)\b", re.I)
#: "only when the employer has added the program", "groups that have elected it": a select scope
ONLY_ELECTED_RE = re.compile(
    r"\bonly\s+(?:if|when|where)\b[^.]*\b(?:add|adds|added|elect|elects|elected|choose|chose|chosen|opt|opts|opted|"
    r"buy|bought|purchase|purchased|select|selected)\b|\b(?:that|who|which|whose\s+sponsor)\s+(?:have\s+|has\s+)?"
    r"(?:elected|added|chose|chosen|opted\s+in|bought|purchased|selected|decided)\b|\bchose\s+to\s+add\b|"
    r"\b(?-i:opt(?:ed)?[- ]in)\b|\bsponsors?\s+(?:decide|elect|choose)\b|\bthat\s+bought\b|\bas\s+an\s+(?:option|add-on|buy-up)\b|"
    r"\bcan\s+(?:pick|choose|add|elect)\b|"
    r"\b(?:accounts|groups|employers|plans|sponsors)\s+that\s+(?:offer|provide|include|cover)\s+(?:this|the|that)\s+"
    r"(?:program|benefit|service|option)\b",
    re.I,
)
NONE_RE = re.compile(
    r"\bnot\s+included\b(?!\s*:)|\bexcluded\b|\bnot\s+(?:a\s+)?part\s+of\b|\bnot\s+in\s+(?:the|this|these)\s+program|"
    r"\bnot\s+(?:covered|eligible|participating)\b|\bdoes\s+not\s+apply|\bdo\s+not\s+apply|\bdoesn't\s+apply|"
    r"\bneither\s+program\b|\boutside\s+(?:of\s+)?(?:this|the|these)\s+(?:program|requirement)|^(?:—|–|-|n/?a|none|no)$|"
    r"\bnot\s+subject\s+to\b|\bnot\s+(?:typically\s+|usually\s+)?an?\s+(?:covered\s+)?benefit\s+(?:for|of|under)\b",
    re.I,
)
REFERENCE_RE = re.compile(r"^(?:to\s+(?:determine|find\s+out|learn|check)\b|(?:see|refer\s+to|visit|check)\b)", re.I)
#: a population named by who runs its plans: "plans administered by Acme Benefits" (not a delegation)
ADMINISTERED_PLANS_RE = re.compile(
    r"\b(?:plans?|groups?|accounts?|policies|products?|employers?|coverage)\s+(?:\w+\s+)?"
    r"(?:administered|issued|offered|sponsored|underwritten|sold)\s+(?:by|through)\s+",
    re.I,
)
ALT_VENDOR_RE = re.compile(
    r"\b(?:managed|handled|administered|reviewed|processed)\s+by\s+|\b(?:go|goes|stay|stays)\s+"
    r"(?:to|with)\s+",
    re.I,
)

# -- dates -------------------------------------------------------------------------------------------
#: words right before a date that make it the start of a rule
EFFECTIVE_CUE_RE = re.compile(
    r"\b(?:on\s+(?:or|and)\s+after|beginning(?:\s+(?:on|with))?|begins?(?:\s+(?:on|with))?|effective(?:\s+(?:on|for|with))?|"
    r"as\s+of|starting(?:\s+on)?|since|from|start(?:s|ing)?\s+on|go(?:es)?\s+live|live\s+on|starts?)\b",
    re.I,
)
#: words before a date that make it something else: a publication, a webinar, a portal opening
NOT_EFFECTIVE_RE = re.compile(
    r"\b(?:posted|updated|published|revised|reviewed|dated|issued|sent|webinars?|sessions?|training|register|"
    r"registration|accept(?:s|ing)?|open(?:s|ed)?|portal|orientation|replaces|until|through|ending|ended|expire|"
    r"stop|before|prior\s+to|last|approvals?)\b",
    re.I,
)
ENDED_RE = re.compile(r"\b(?:ended|ending|ends|end|through|until|terminat\w*|discontinu\w*)\b", re.I)

# -- delegation -------------------------------------------------------------------------------------
_VERBS = (
    r"manag(?:e|es|ed|ing)|review(?:s|ed|ing)?|administer(?:s|ed|ing)?|handl(?:e|es|ed|ing)|process(?:es|ed|ing)?|"
    r"oversee(?:s|ing)?|perform(?:s|ed)?\s+(?:utilization|prior|the)|provid(?:e|es|ed|ing)|offer(?:s|ed|ing)?|conduct(?:s|ed)?|"
    r"coordinat(?:e|es|ed)|accept(?:s|ed|ing)?|decid(?:e|es)|determin(?:e|es)|"
    r"issu(?:e|es)\s+(?:the\s+|a\s+|an\s+)?(?:prior\s+)?authori[sz]ations?|"
    r"mak(?:e|es|ing)\s+(?:prior\s+)?(?:authorization|the|these|medical\s+necessity)\s*(?:determinations|decisions)?|"
    r"(?:is|are)\s+responsible\s+for|responsible\s+for"
)
ACTIVE_RE = re.compile(
    rf"\b(?:will\s+(?:now\s+|also\s+|continue\s+to\s+)?|also\s+|now\s+|currently\s+|to\s+|has\s+|have\s+|"
    rf"will\s+begin\s+to\s+)?(?:{_VERBS})\b",
    re.I,
)
PASSIVE_RE = re.compile(
    r"\b(?:is|are|will\s+be|be|has\s+been|have\s+been|being|now|also|still|continue\s+to\s+be)?\s*"
    r"(?:managed|reviewed|handled|administered|processed|provided|performed|decided|determined|"
    r"conducted|coordinated|overseen)\s+(?:\w+\s+)?by\s+|"
    # "It's offered through pharmacy benefit manager V", "is provided via our partner V"
    r"\b(?:offered|provided|delivered|available|administered|managed)\s+(?:through|via)\s+"
    r"(?:(?:our|the|a|an|its|their)\s+)?(?:(?:(?:pharmacy|specialty)\s+benefits?\s+managers?|PBMs?|partners?|"
    r"vendors?)[\s,]+)?(?=(?-i:[A-Z]))",
    re.I,
)
CONTRACT_RE = re.compile(
    r"\b(?:(?:has|have)\s+)?(?:contracted|contracts|partnered|partners|works|working|work|teamed|collaborates)\s+with\s+|"
    r"\b(?:has\s+|have\s+)?(?:selected|chosen|chose|engaged|retained|hired|appointed)\s+",
    re.I,
)
ROUTE_RE = re.compile(
    r"\b(?:go|goes|going|sent|send|sends|sending|submit|submits|submitting|submitted|route[sd]?|directed|forward(?:ed)?)\s+(?:[\w'’]+\s+){0,6}?(?:to|through)\s+|"
    r"\b(?:stay|stays|remain|remains)\s+with\s+|"
    r"\b(?:from|through|via|with)\s+(?=\S)",
    re.I,
)
MANAGED_BY_RE = re.compile(
    r"^\s*(?:managed|reviewed|administered|handled|provided|decided)\s+by\s*:?\s*|"
    r"^\s*(?:vendor|reviewer|company|administrator|program\s+administrator)\s*:\s*",
    re.I,
)

# -- polarity and change ----------------------------------------------------------------------------
NEGATION_RE = re.compile(
    r"\b(?:does\s+not|do\s+not|doesn't|don't|will\s+not|won't|is\s+not|are\s+not|isn't|aren't|"
    r"never|no\s+longer|neither|not)\b",
    re.I,
)
NO_LONGER_RE = re.compile(r"\bno\s+longer\b|\bwill\s+stop\b|\bstops?\s+(?:reviewing|managing)\b", re.I)
TRANSITION_RE = re.compile(
    r"\b(?:transition(?:s|ed|ing)?|mov(?:e|es|ed|ing)|switch(?:es|ed|ing)?|shift(?:s|ed|ing)?|"
    r"chang(?:e|es|ed|ing))\s+(?:\w+\s+){0,3}?from\s+",
    re.I,
)
ENDING_RE = re.compile(
    r"\b(?:is|are|will\s+be)\s+(?:ending|ended|terminating|discontinued)\b|\bwill\s+end\b|"
    r"\bends\b|^\s*ended\b",
    re.I,
)
CONTINUES_RE = re.compile(
    r"\bcontinu(?:e|es|ing)\s+(?:unchanged|to\s+(?:apply|go|be))|\bkeep\s+sending\b|"
    r"\bremains?\s+(?:with|unchanged|in\s+place)|\bstill\s+(?:go|goes|need|needs|require|requires)\b|"
    r"\bnothing\s+changes\b|\bcontinues?\s+unchanged\b",
    re.I,
)
CANCEL_RE = re.compile(r"^\s*(?:neither|none)\s+(?:company|vendor|of\s+(?:these|them|the\s+companies))\b", re.I)

# -- requirements ------------------------------------------------------------------------------------
NOT_REQUIRED_RE = re.compile(
    r"\b(?:does|do|will)\s+not\s+(?:need|require|be\s+required)|\bdoesn't\s+(?:need|require)|\bdon't\s+(?:need|require)|"
    r"\bno\s+(?:prior\s+)?(?:authorization|review|precertification|preauthorization|approval)\s+(?:is\s+)?"
    r"(?:needed|required|necessary)|\bnot\s+(?:be\s+)?(?:required|needed)\b|\bno\s+longer\s+(?:need|require)s?\b|"
    r"\bnever\s+(?:needs?|requires?)\b|\bis\s+never\s+needed\b|\bwithout\s+(?:prior\s+)?(?:authorization|clinical\s+review)",
    re.I,
)
REQUIRES_RE = re.compile(r"\b(?:requires?|required|needs?|needed|must\s+(?:obtain|request|get))\b", re.I)
#: Programs that help members rather than review requests ("medication adherence rewards program").
CARE_PROGRAM_RE = re.compile(
    r"\b(?:adherence|discount|savings|rewards?|incentives?|engagement|outreach|education|"
    r"coaching|support)\s+programs?\b",
    re.I,
)
AUTH_WORD_RE = re.compile(
    r"\b(?:prior\s+authori[sz]ations?|pre-?authori[sz]ations?|authori[sz]ations?|"
    r"pre-?certifications?|precert|prior\s+approvals?|pre-?approvals?|notifications?|"
    r"utilization\s+management|utilization\s+review|clinical\s+review|medical\s+necessity|reviews?)\b",
    re.I,
)
CARE_MANAGEMENT_RE = re.compile(
    r"\b(?:care\s+management|case\s+management|disease\s+management|care\s+coordination|"
    r"second[- ]opinion|decision\s+support|wellness|coaching|navigation|care\s+managers?|"
    r"medication\s+(?:therapy\s+)?management)\b",
    re.I,
)

#: A finite verb: a text with one is a sentence, not a name.
VERB_RE = re.compile(
    r"\b(?:is|are|was|were|will|can|may|must|should|has|have|had|does|do|did|reviews|manages|"
    r"handles|goes|go|applies|apply|needs|need|requires|require|starts|start|keeps|keep|hands|"
    r"uses|affect|affects|changes|continues|continue|ends|ending|ended|stops|moves|transitions|begins)\b",
    re.I,
)

# -- structure cues ----------------------------------------------------------------------------------
#: a sentence that announces a list of services ("… for the specialized services below:")
SERVICE_LEAD_RE = re.compile(
    r"\bthese\s+(?:services?|procedures?|programs?|areas?|tests?|categories|drugs?|therapies)\s*:\s*$|"
    r"\b(?:services?|procedures?|programs?|areas?|tests?|codes?|categories|drugs?|therapies)\s+(?:below|listed\s+below|"
    r"that\s+follow|as\s+follows)|\b(?:the\s+)?following\s+(?:services?|procedures?|programs?|areas?|tests?|categories|"
    r"drugs?)\b|\bin\s+(?:two|three|four|five|several|these)\s+(?:areas|programs|categories)\b|"
    r"\b(?:programs?|services?)\s+(?:include|includes|including|are)\s*:|^\s*services?\s+(?:requiring|that\s+require|"
    r"included|covered|reviewed)\b",
    re.I,
)
#: a sentence or heading that announces a list of memberships ("Members in the program:")
MEMBER_LEAD_RE = re.compile(
    r"\b(?:members|membership|memberships|lines?\s+of\s+business|plans|groups|products|populations?)\s+"
    r"(?:in|included|covered|eligible|affected|below|that\s+apply)\b|\bapplicable\s+(?:members|memberships|lines|plans|"
    r"products)|\b(?:appl(?:y|ies)|applicable)\s+to\b|\bfollowing\s+(?:members|groups|lines|plans|products|"
    r"memberships)|\bwho\s+(?:is|are)\s+included\b|\bfor\s+the\s+members\s+below\b|^\s*(?:members|memberships|"
    r"lines\s+of\s+business|who\s+is\s+covered)\s*:?\s*$",
    re.I,
)
EXCLUDED_LEAD_RE = re.compile(
    r"\bexcluded\s+(?:members|memberships|lines|plans|products|populations)|"
    r"\b(?:does|do)\s+not\s+apply\s+to\b|\bnot\s+(?:apply|included)\b|\bexclusions?\b|"
    r"\bwhich\s+members\s+are\s+excluded\b|\bwhere\s+.*\bdo\s+not\s+apply\b",
    re.I,
)
APPLIES_RE = re.compile(
    r"\b(?:appl(?:y|ies)|is\s+required|are\s+required|is\s+available|(?:be|is|are)\s+offered|"
    r"^\s*available)\s+(?:only\s+|also\s+)?(?:as\s+an?\s+(?:service|benefit|option)\s+)?to\b|"
    # "is available in English and Spanish to members 13 and up …"
    r"\b(?:is|are)\s+available\s+(?:in|at|for)\s+[^.;:]{1,40}?\bto\s+(?:members|employees|subscribers|people|groups|accounts)\b|"
    r"\b(?:are|is)\s+(?:in|included\s+in|part\s+of|enrolled\s+in|covered\s+by)\s+(?:the|this|our)\b|"
    r"\btake\s+part\b|\bparticipate\b|\bis\s+in\s+the\s+program\b|"
    # who may have a program: "accounts can opt in", "a core offering for …", "standard benefit for …"
    r"\b(?:can|may)\s+(?:opt[- ]?in|pick|choose|elect|add|purchase|buy)\b|\bopt[- ]?in\s+to\b|"
    r"\b(?:core|standard)\s+(?:benefit|offering|feature)\s+(?:on|for|to|of)\b",
    re.I,
)
LEGEND_RE = re.compile(r"^\s*(?:key|legend|how\s+to\s+read|symbols?|abbreviations)\b", re.I)
CONTACT_HEADER_RE = re.compile(
    r"\b(?:phone|fax|telephone|how\s+to\s+reach|contact|website|web\s+site|url|e-?mail|"
    r"hours|address)\b",
    re.I,
)
#: Headings of navigation, contacts and links: their lists and paragraphs state no rule.
SKIP_HEADING_RE = re.compile(
    r"^(?:agenda|contents|table\s+of\s+contents|contacts?|contact\s+us|contact\s+information|"
    r"related\s+links|resources|additional\s+resources|questions(?:\s+and\s+answers)?|q\s*&\s*a|"
    r"phone\s+numbers|links)$",
    re.I,
)
GENERIC_HEADING_RE = re.compile(
    r"^(?:overview|resources|introduction|summary|background|details|notes?|contacts?|contact\s+us|questions|faqs?|"
    r"reminders?|agenda|key\s+dates|about\s+.*|clinical\s+guidelines|guidelines|how\s+to\s+.*|where\s+to\s+.*|"
    r"requesting\s+.*|claims.*|resources\s+.*|additional\s+.*|more\s+information|related\s+links|what\s+is\s+changing|"
    r"what's\s+changing|what\s+changes|background\s+.*|good\s+to\s+know|before\s+you\s+.*)$",
    re.I,
)

# -- headings and references -----------------------------------------------------------------------
#: what a lead-in announces when its list is reading matter or paperwork, not services or members:
#: "see the following documents:", "You will need the following information to make your request:"
REFERENCE_LEAD_RE = re.compile(
    r"\b(?:documents?|pages?|chapters?|manuals?|websites?|links?|resources|information|details|documentation|records)\b",
    re.I,
)
#: "Prior authorization requirements for |sleep testing and treatment|", "|Widget testing| authorization
#: requirements": the heading names the service whose requirements follow.
REQUIREMENT_HEADING_RE = re.compile(
    r"^(?:(?:prior\s+)?authori[sz]ation|pre-?certification|notification|referral|review)\s+requirements?\s+(?:for|of)\s+|"
    r"\s+(?:prior\s+)?(?:authori[sz]ation|pre-?certification|notification)\s+requirements?$",
    re.I,
)
#: where a heading's parts meet: "Imaging: Acme Review", "Acme — commercial", "Acme, for select Medicare members"
HEADING_SPLIT_RE = re.compile(r"\s*:\s+|\s+[—–]\s+|\s+-\s+|,\s+(?=for\s)")
NUMBERING_RE = re.compile(
    r"^\s*(?:section\s+)?\d+(?:\.\d+)*\.?\s+|^\s*[A-Z]\.\s+|^\s*(?:step|part|slide)\s+\d+\s*[:.-]?\s*", re.I
)
#: A "these services"-style phrase that points back to services named before.
ANAPHOR_RE = re.compile(
    r"^(?:these|those|the|such|this|that)?\s*(?:services?|codes?|procedures?|programs?|tests?|"
    r"requests?|imaging|therapy|therapies|drugs?|studies|surgeries|reviews?)$",
    re.I,
)

# Every pattern above answers "no match" at once for a text holding none of the words it needs.
prefilter_module(globals())
