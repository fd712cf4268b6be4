"""What the human asked for: grants, prohibitions and revocations extracted from typed prompts.

Deterministic and explainable: regular expressions map verbs and nouns onto the shared EFFECTS vocabulary
(guardrail/model.py), so "did the user ask for this?" is a join of a finding against grants, and every
answer can quote the prompt that decided it. Recency: later prompts override earlier ones.
"""

from __future__ import annotations

import re

from guardrail.base.record import record
from guardrail.base.text import LazyRegex
from guardrail.model import EFFECTS, Finding


ALL_EFFECTS: frozenset[str] = frozenset(EFFECTS)
DATA = frozenset({"data.drop", "data.truncate", "data.delete_rows", "data.reset", "data.alter"})
GIT_LOCAL = frozenset({"git.discard_local"})
GIT_REFS = frozenset({"git.delete_ref"})
GIT_SHARED = frozenset({"git.rewrite_shared"})
FILES = frozenset({"files.delete", "files.overwrite"})
INFRA = frozenset({"infra.destroy"})
DESTRUCTIVE = frozenset(ALL_EFFECTS - {"exec.unresolved", "exec.remote_code", "secrets.exposure"})

MAX_PROMPTS = 40  # only the most recent prompts are read: bounded cost per hook call
MAX_PROMPT_CHARS = 4000


TYPE_CHECKING = False  # `typing` costs ~40M instructions to import: annotations only (lazy)
if TYPE_CHECKING:
    from typing import Literal

    MatchKind = Literal["none", "grant", "prohibit", "revoke", "wrong_target"]


# Records (guardrail.base.record), not dataclasses or NamedTuples: both import modules that cost more than the
# whole hook's work (dataclasses ~10 ms; typing ~40M instructions).
@record(frozen=True)
class Prompt:
    text: str
    when: float
    prompt_id: str | None = None
    source: str = "transcript"  # "hook" | "transcript" | "cli"


@record(frozen=True)
class Grant:
    """The human asked for `effects` on `objects` (empty = no object named) in `environment`."""

    effects: frozenset[str]
    objects: tuple[str, ...]
    environment: str
    quote: str
    index: int
    explicit: bool = True  # False: a destructive verb with neither object nor kind of thing ("reset everything")
    weak: frozenset[str] = frozenset()  # objects known only from a nearby noun ("the top stash entry")


@record(frozen=True)
class Prohibition:
    """`prohibit`: a standing rule ("don't touch the database"); `revoke`: takes back earlier grants ("stop")."""

    kind: Literal["prohibit", "revoke"]
    effects: frozenset[str]
    objects: tuple[str, ...]
    quote: str
    index: int
    environment: str = "unknown"


class Intent:
    """Everything extracted from the session's human prompts (oldest first)."""

    __slots__ = ("prompts", "grants", "prohibitions", "current_from")

    def __init__(self, prompts: list[Prompt] | None = None, grants: list[Grant] | None = None,
                 prohibitions: list[Prohibition] | None = None, current_from: int = 0) -> None:
        self.prompts = prompts if prompts is not None else []
        self.grants = grants if grants is not None else []
        self.prohibitions = prohibitions if prohibitions is not None else []
        self.current_from = current_from  # grants from prompts before this index belong to finished tasks

    def __repr__(self) -> str:
        return (f"Intent(prompts={len(self.prompts)}, grants={self.grants!r}, prohibitions={self.prohibitions!r}, "
                f"current_from={self.current_from})")


@record(frozen=True)
class IntentMatch:
    """How the human's words relate to one finding. `quote` is the deciding prompt text (short)."""

    kind: MatchKind = "none"
    quote: str = ""
    explicit: bool = False
    named: tuple[str, ...] = ()  # objects the human named (for wrong_target and grants)
    environment: str = "unknown"
    index: int = -1
    stale_quote: str = ""  # a matching grant from an earlier, finished task (not current consent)


# --------------------------------------------------------------------------- vocabulary

# verb pattern -> (effects, strong). A weak verb ("clean up") grants nothing without a kind of thing.
_VERBS: list[tuple[str, frozenset[str], bool]] = [
    (r"force[- ]?push\w*|push\w*\b[^.;\n]{0,40}?(?:--force\S*|-f\b|\bforce\b)", GIT_SHARED, True),
    (r"rewrit\w*\s+(?:the\s+|our\s+|git\s+)*history|filter[- ](?:repo|branch)|squash\w*\s+(?:the\s+|all\s+)*history",
     GIT_SHARED, True),
    (r"drop(?:s|ped|ping)?|dropdb", DATA | GIT_REFS, True),
    (r"rm|rmdir|unlink|shred", FILES, True),
    (r"delet\w*|remov\w*|erase[sd]?|erasing|get\s+rid\s+of|strip\w*|scrub\w*|excis\w*|uninstall\w*",
     FILES | DATA | GIT_REFS | INFRA | GIT_LOCAL, True),
    (r"wip(?:e|es|ed|ing)|nuk(?:e|es|ed|ing)|purg(?:e|es|ed|ing)|obliterat\w*|blow\s+away|destroy\w*|tear\w*\s+down|teardown|zap",
     DESTRUCTIVE - {"perms.broaden", "guard.tamper"}, True),
    (r"truncat\w*|empty(?:ing)?|clear(?:s|ed|ing)?|flush\w*", DATA | FILES | GIT_REFS | INFRA, True),
    (r"zero(?:e?s|ed|ing)?\s+(?:out|fill)|zero[- ]fill\w*", frozenset({"disk.destroy", "files.delete", "files.overwrite"}), True),
    (r"hard[- ]reset|reset\s+--hard|(?<!soft\s)(?<!mixed\s)reset(?:s|ting)?(?!\s+--(?:soft|mixed))",
     GIT_LOCAL | frozenset({"data.reset", "data.drop", "data.truncate"}), True),
    (r"re-?creat\w*|rebuild\w*|start\s+(?:over|fresh)|from\s+scratch|re-?initiali[sz]\w*|reinit\w*|re-?seed\w*",
     frozenset({"data.drop", "data.reset", "data.truncate", "files.delete"}), True),
    (r"discard\w*|throw\w*\s+(?:away|out)|revert\w*|undo|restor\w*|roll\s*back|rollback", GIT_LOCAL | {"data.reset", "data.alter"},
     True),
    (r"clean\w*|tidy\w*", FILES | GIT_LOCAL | GIT_REFS, False),
    (r"prune|pruning|expire|expiring", GIT_LOCAL | GIT_REFS, False),
    (r"(?:re)?format\w*|mkfs\S*", frozenset({"disk.destroy"}), False),
    (r"chmod|chown", frozenset({"perms.broaden"}), True),
    (r"overwrit\w*|replac\w*", frozenset({"files.overwrite"}), False),
    (r"migrat\w*\s+down|downgrad\w*", frozenset({"data.reset", "data.alter"}), True),
    (r"alter\w*", frozenset({"data.alter"}), False),
]
# Kinds of things: they narrow a verb's effects and make a request explicit.
_NOUNS: list[tuple[str, frozenset[str]]] = [
    (r"databases?|dbs?|schemas?|tables?|collections?|rows?|records?|entries|data|keyspaces?|sql", DATA),
    (r"columns?|constraints?|privileges?|grants?", frozenset({"data.alter"})),
    (r"migrations?", frozenset({"data.reset", "data.alter"})),
    (r"changes|uncommitted|modifications|edits|working\s+(?:tree|copy|directory)|worktree|local\s+work|my\s+work",
     GIT_LOCAL),
    (r"untracked", GIT_LOCAL | {"files.delete"}),
    (r"branch(?:es)?", GIT_REFS | GIT_LOCAL | GIT_SHARED),
    (r"tags?|stash(?:es)?|refs?|reflog", GIT_REFS | GIT_LOCAL),
    (r"history|commits?", GIT_SHARED | GIT_LOCAL),
    (r"files?|folders?|dirs?|directory|directories|paths?|home|everything\s+in|contents", FILES | {"git.discard_local"}),
    (r"namespaces?|clusters?|pods?|deployments?|buckets?|stacks?|volumes?|containers?|instances?|vms?|resources?|"
     r"infra(?:structure)?|terraform|services?|environment|(?:helm\s+)?releases?(?!-)|charts?(?!-)", INFRA | {"data.drop"}),
    (r"disks?|drives?|devices?|partitions?|usb|sd\s+card|/dev/\w+", frozenset({"disk.destroy"})),
    (r"permissions?|perms|ownership|owner", frozenset({"perms.broaden"})),
]
_ENV_WORDS = [
    ("prod", r"prod|production|live"),
    ("staging", r"staging|stage|stg|preprod|uat"),
    ("local", r"local|locally|localhost|dev|development|test|testing|scratch|sandbox"),
]
# One lookbehind per position, then the alternatives (each starts with a literal, so most fail at once).
_VERB_RX = LazyRegex(r"\b(?<![\w-])(?:" + "|".join(f"(?P<v{i}>{p})" for i, (p, _, _) in enumerate(_VERBS)) + r")(?!\w)",
                      re.I)
_NOUN_RX = LazyRegex(r"(?<![\w./-])(?:" + "|".join(f"(?P<n{i}>{p})" for i, (p, _) in enumerate(_NOUNS)) + r")(?!\w)",
                      re.I)
_ENV_RX = LazyRegex(r"(?<![\w./-])(?:" + "|".join(f"(?P<{k}>{p})" for k, p in _ENV_WORDS) + r")(?![\w-])", re.I)

# Negation that turns the next verb into a prohibition.
_NEG_RX = LazyRegex(
    r"(?<!\w)(?:don'?t|do\s+not|dont|never|no\s+need\s+to|must\s+not|mustn'?t|shouldn'?t|should\s+not|"
    r"can'?t|cannot|won'?t|without|avoid|not|no)(?!\w)(?!\s+(?:forget|only|just|sure|hesitate)\b)", re.I)
# "don't touch X", "leave X alone": every destructive effect on X.
_TOUCH_RX = LazyRegex(r"\b(?:touch|modify|change|alter|edit|mess\s+with|write\s+to|run\s+anything\s+(?:on|against))\b", re.I)
_LEAVE_RX = LazyRegex(r"\b(?:leave\s+(.{1,60}?)\s+alone|stay\s+away\s+from|hands\s+off|keep\s+your\s+hands\s+off|"
                       r"preserve|keep)\b", re.I)
_GLOBAL_PROHIBIT_RX = LazyRegex(
    r"(?<!make\s)(?<!set\s)(?<!mark\s)\bread[- ]?only\b|\bcode[- ]freeze\b|\b(?:change|deploy)\s+freeze\b|"
    r"\b(?:just|only)\s+(?:explain|describe|tell\s+me|look|review|investigate|read|answer|show\s+me|plan|suggest|analy[sz]e)\b|"
    r"\bexplain\s+only\b|\bdry[- ]run\b|"
    r"\b(?:don'?t|do\s+not|dont)\s+(?:change|modify|touch|run|execute|delete|remove)\s+any\s*thing\b|"
    r"\b(?:don'?t|do\s+not|dont)\s+make\s+any\s+changes\b|\bno\s+(?:changes|modifications)\b|"
    r"\bwithout\s+(?:changing|modifying|touching|deleting)\s+any\s*thing\b", re.I)
# A retraction of what was asked before: "stop", "wait", "never mind", "don't delete anything yet".
_REVOKE_RX = LazyRegex(
    r"^\W*(?:stop|wait|hold\s+on|hold\s+up|hold\s+off|halt|abort|cancel(?:\s+(?:that|it|this))?|never\s*mind|nvm|"
    r"scratch\s+that|forget\s+(?:it|that|about\s+it)|actually,?\s+no|no,?\s+(?:wait|stop|don'?t)|no+)"
    r"(?:\W*$|[\s,.!;:-]+(?:what|that|it|this|everything|doing|now|please|right|don'?t|do\s+not|i\b|we\b|before|"
    r"first|actually|no|hold|wait|stop|on\s+(?:that|it|this)))", re.I)
_YET_RX = LazyRegex(r"\b(?:yet|for\s+now|until\s+i\s+(?:say|confirm|check))\b|\bhold\s+off\b|\bnot\s+yet\b", re.I)
# Short prompts that continue the current task rather than start a new one.
_CONTINUE_RX = LazyRegex(
    r"^\W*(?:yes|yep|yeah|y|ok|okay|sure|go\s+ahead|proceed|continue|do\s+it|please\s+do|sounds\s+good|lgtm|"
    r"go\s+on|carry\s+on|keep\s+going|confirmed?|approved?|thanks?|thank\s+you|great|perfect|right|correct)\b", re.I)
_ALSO_RX = LazyRegex(r"^\W*(?:also|and\s+also|and|plus|additionally|oh\s+and|as\s+well)\b", re.I)

# A question or a request for explanation asks for words, not actions: verbs after it grant nothing.
_QUESTION_RX = LazyRegex(
    r"^\W*(?:what|why|how|when|where|which|who|whose|is|are|was|were|does|did|should\s+(?:i|we)|would\s+it|"
    r"is\s+it|explain|describe|tell\s+me|show\s+me|teach|help\s+me\s+understand|i\s+wonder|wondering|"
    r"do\s+you\s+know)\b|\b(?:explain|describe|what\s+(?:does|would|happens)|how\s+(?:does|do|would)|why)\b", re.I)
# A filtered deletion ("rows older than 2020") is not a request to empty the table.
_QUALIFIER_RX = LazyRegex(r"\b(?:older|newer|than|where|whose|which|that\s+(?:are|have|were|match)|from\s+before|"
                           r"before|after|except|matching|with\s+status|only\s+the|duplicates?|expired|their|his|her|"
                           r"(?:for|of)\s+(?:user|customer|account|id)|(?:user|customer|account|id)\s*#?=?\s*\d+|"
                           r"specific|some|a\s+few|single)\b", re.I)
# "roll back the last migration", "downgrade by one revision": one step, never every migration (data.reset).
_ONE_STEP_RX = LazyRegex(r"\b(?:last|latest|previous|most\s+recent|newest)\s+(?:\w+\s+){0,2}?(?:migration|batch|revision|step)s?\b|"
                     r"\b(?:one|1|a\s+single|single)\s+(?:\w+\s+)?(?:migration|batch|revision|step)s?\b|\bby\s+one\b", re.I)
# A directory named by what it is, right after the verb ("chmod -R 777 my whole home directory", "delete everything in
# the current folder"): its path is the object, so a wider action ("/" for "~") is a different target.
_DIR_OBJECT_RX = LazyRegex(r"\s*(?:-\S+\s+|\d{3,4}\s+)*(?:(?:everything|all|anything|every\s+file|all\s+files)\s+"
                       r"(?:in|under|inside|of)\s+)?(?:(?:my|the|your|our|whole|entire|full)\s+)*"
                       r"(?:(home)|(current|working|this)|(root))\s+(?:directory|dir|folder)\b|"
                       r"\s*(?:(?:my|the|whole|entire|full)\s+)+(file\s*system)\b", re.I)
_DIR_PATHS = ("~", ".", "/", "/")
# Where a verb's stretch of text stops describing what it acts on.
_SCOPE_END_RX = LazyRegex(r"\b(?:leave|keep|preserve|don'?t|do\s+not|never|except|but|not)\b", re.I)
_WORDS_ONLY_RX = LazyRegex(r"explain|describe|tell|look|review|investigate|read|answer|show|plan|suggest|analy|dry|freeze",
                            re.I)
# Substrings at least one of which every verb, negation, prohibition or revocation pattern above contains.
_STEMS = tuple("""force push rewrit filter squash drop rm unlink shred delet remov eras rid wip nuk purg obliterat
blow destroy tear zap truncat empty clear flush reset creat rebuild start scratch init seed discard throw revert
undo restor roll clean tidy prune expire format mkfs chmod chown overwrit replac migrat downgrad alter don't dont
not never touch modify modif change edit mess write leave stay hands preserve keep read freeze just only explain dry
without avoid can't cannot won't must should stop wait hold halt abort cancel mind nvm forget actually strip scrub
excis uninstall zero""".split())
# What a weak verb ("clean up", "tidy", "format") means when it is about code, not data.
_REFACTOR_RX = LazyRegex(r"\b(?:code|codebase|function|functions|imports?|style|formatting|comments?|tests?|logic|"
                          r"implementation|types?|naming|docs?|readme|css|html|output\s+format|json|strings?)\b", re.I)
_CODE_OBJECT_RX = LazyRegex(r"\s+(?:(?:the|this|that|all|any|unused|dead|old|stale|obsolete|duplicate[d]?)\s+)*"
                             r"(?:code|function|functions|method|methods|class|classes|imports?|tests?|comments?|"
                             r"logic|references?|usages?|calls?|lines?|print\s+statements|debug\w*|todo)\b", re.I)
# Words before a verb that make it a report, a quotation or a maybe, not a request.
_NARRATIVE_RX = LazyRegex(r"\b(?:accidentally|yesterday|earlier|already|someone|somebody|ran|says|said|suggests?|"
                      r"recommends?|tells?|told|claims?|might|maybe|perhaps|later|eventually|once|used\s+to|"
                      r"last\s+(?:night|week|time)|may\s+(?:need|have|want)|would(?!\s+you)|could(?!\s+you))\b", re.I)
_CLAUSE_SPLIT = LazyRegex(r"(?:[.!?](?=\s|$)|[;\n]|,\s*so\b|\bbut\b|\bthen\b|\binstead\b|\bhowever\b|\bexcept\b)+", re.I)
_CODE_RX = LazyRegex(r"`([^`\n]{1,200})`|\"([^\"\n]{1,120})\"|(?<![\w])'([^'\n]{1,120})'(?![\w])")
_TOKEN_RX = LazyRegex(r"[$~\w./:@*+-]+")
_IDENT_RX = LazyRegex(r"(?=.*[a-z])(?:.*[_/~.$]|.*\d)", re.I)  # shop_dev, feature/x, ./dist, v2, app.db
_STOP = frozenset("""a an the my our your their this that these those its it them all any every each some whole
entire old new other same current existing local remote please now just only also and or of in on at to from for
with by into onto out up down off over under again then so too very really all everything anything something
nothing stuff thing things one ones here there which what where when who whom whose why how i we you he she they
me us him her be is are was were been being do does did done have has had can could should would will shall may
might must not no yes ok okay sure let lets let's go get make sure first last next before after""".split())
_PROGRAMS = frozenset("""git rm rmdir psql mysql sqlite3 sqlite dropdb kubectl terraform dd mkfs chmod chown find
docker helm aws gcloud az redis-cli mongo mongosh sudo bash sh -c""".split())
_SQL_WORDS = frozenset("""drop table database schema truncate delete from where if exists cascade restrict alter
column index view collection keyspace reset hard soft push force clean clear stash branch tag -f -d -D -rf -fr -r
-fd -fdx -x --force --hard --delete --all --mirror filter-repo filter-branch reflog expire""".split())
_KNOWN_NAMES = frozenset({"head", "main", "master", "develop", "trunk", "gh-pages", "~", "/", "node_modules", "dist",
                          "build", "target", "vendor", ".git", "tmp"})
_HYPHEN_WORDS = frozenset("""read-only force-push force-pushed force-pushing re-create re-created well-known
up-to-date so-called one-off long-running built-in e-mail follow-up no-op dry-run right-click check-in set-up
clean-up hard-reset non-empty short-lived auto-generated""".split())
_ADJECTIVES = frozenset("""stale unused temporary obsolete broken big huge small empty wrong bad extra duplicate
useless leftover dangling orphan orphaned whole entire full shared remote junk stuff crap mess garbage
cruft clutter lot lots bunch""".split())
_QUOTE_LEN = 160


def _norm_obj(tok: str) -> str:
    tok = tok.strip().strip("'\"`,;:!?()[]{}").lower()
    while tok.endswith(".") and len(tok) > 1:
        tok = tok[:-1]
    if tok.startswith("./") and len(tok) > 2:
        tok = tok[2:]
    if len(tok) > 1:
        tok = tok.rstrip("/")
    return tok


_GIT_LOCAL_WORDS = LazyRegex(r"\b(?:local|remote)\s+(?:\w+\s+)?(?:branch|branches|changes|commits?|copy|repo|checkout|"
                              r"tags?|work|edits|history|main|master)\b", re.I)


def _env_of(text: str) -> str:
    found = {m.lastgroup for m in _ENV_RX.finditer(_GIT_LOCAL_WORDS.sub(" ", text))}
    for env in ("prod", "staging", "local"):  # the riskiest named environment wins
        if env in found:
            return env
    return "unknown"


# English compounds spelled with a hyphen ("re-run", "pre-existing", "world-writable", "company-wide"): words, not
# names. Names like `old-ui`, `web-canary`, `exp-a` keep their identifier status.
_COMPOUND_RX = LazyRegex(r"(?:re|pre|un|non|co|de|self|well|world|group|user|over|under|sub|semi|multi|cross|anti|post|mid|"
                     r"half|full|all|ever|one|two|three|double|single|e|x)-[a-z]+|"
                     r"[a-z]+-(?:\w*able|\w*ible|wide|like|only|free|based|level|side|safe|proof|ready|related|specific|"
                     r"style|time|up|out|in|off|over|down|by|ish)", re.I)


def _is_ident(word: str) -> bool:
    low = word.lower().rstrip(".,:;!?")
    if "-" in low and re.fullmatch(r"[a-z]+(?:-[a-z]+)+", low):
        return low not in _HYPHEN_WORDS and not _VERB_RX.fullmatch(low) and not _COMPOUND_RX.fullmatch(low)
    return bool(_IDENT_RX.match(low)) and not re.fullmatch(r"[a-z]+", low)


def _objects(segment: str, code_spans: list[str]) -> list[str]:
    return _named(segment, code_spans)[0]


def _named(segment: str, code_spans: list[str]) -> tuple[list[str], frozenset[str]]:
    """Named things in a stretch of prompt text: quoted/code-spanned words, identifiers, words next to a noun.

    Returns (objects, weak): `weak` are plain words found only next to a noun ("the users table"); they are
    compared with a rule's named target but not with the words of a command whose target says nothing.
    """
    out: list[str] = []
    near: list[str] = []
    for span in code_spans:
        words = span.split()
        if len(words) == 1:
            out.append(_norm_obj(words[0]))
            continue
        for w in words:  # a command or SQL in backticks: keep its operands
            n = _norm_obj(w)
            if n and n not in _PROGRAMS and n not in _SQL_WORDS and not n.startswith("-") and n not in _STOP:
                out.append(n)
    words = [(m.group(0), m.start(), m.end()) for m in _TOKEN_RX.finditer(segment)]
    nouns = [(m.start(), m.end()) for m in _NOUN_RX.finditer(segment)]
    noun_starts = {s for s, _ in nouns}
    noun_ends = {e for _, e in nouns}
    for i, (w, s, e) in enumerate(words):
        n = _norm_obj(w)
        if not n or n in _STOP or n.startswith("-") or n in _PROGRAMS or _VERB_RX.fullmatch(n) or _ENV_RX.fullmatch(n):
            continue
        if n.startswith("/dev/") and len(n) > 5:
            out.append(n)  # a device path is both a kind of thing and its name
            continue
        if s in noun_starts or any(s >= ns and e <= ne for ns, ne in nouns):
            continue
        if n in _KNOWN_NAMES or _is_ident(w):
            out.append(n)
            continue
        # "the users table" / "table users" / "branch feature-x": a plain word touching a noun
        nxt = words[i + 1][1] if i + 1 < len(words) else -1
        prev_end = words[i - 1][2] if i > 0 else -1
        if (nxt in noun_starts) or (prev_end in noun_ends and i > 0):
            if len(n) > 1 and not n.isdigit() and n not in _ADJECTIVES and not n.endswith(("ed", "ly", "able", "ible")) \
                    and not _COMPOUND_RX.fullmatch(n):
                near.append(n)
                # "the invoices and payments tables", "tables a, b and c": the whole list
                step = -1 if nxt in noun_starts else 1
                j = i
                while 0 <= j + step < len(words):
                    a_end, b_start = (words[j + step][2], words[j][1]) if step < 0 else (words[j][2], words[j + step][1])
                    gap = segment[a_end:b_start]
                    k = j + step
                    if words[k][0].lower() in ("and", "or", "&") and 0 <= k + step < len(words):
                        k += step
                    elif "," not in gap:
                        break
                    cand = _norm_obj(words[k][0])
                    if not cand or cand in _STOP or cand.startswith("-") or _VERB_RX.fullmatch(cand) or \
                            _NOUN_RX.fullmatch(cand) or cand in _ADJECTIVES:
                        break
                    near.append(cand)
                    j = k
    weak = frozenset(n for n in near if n not in out)
    out += near
    seen: dict[str, None] = {}
    for o in out:
        if o and o not in _STOP:
            seen.setdefault(o, None)
    return list(seen), weak


def _quote(text: str, at: int = 0) -> str:
    text = " ".join(text.split())
    if len(text) <= _QUOTE_LEN:
        return text
    start = max(0, min(at - 40, len(text) - _QUOTE_LEN))
    snippet = text[start:start + _QUOTE_LEN]
    return ("…" if start else "") + snippet + ("…" if start + _QUOTE_LEN < len(text) else "")


def _clauses(text: str) -> list[str]:
    return [c for c in (p.strip() for p in _CLAUSE_SPLIT.split(text)) if c]


class _Verb:
    __slots__ = ("start", "end", "effects", "strong", "negated")

    def __init__(self, start: int, end: int, effects: frozenset[str], strong: bool, negated: bool) -> None:
        self.start, self.end, self.effects, self.strong, self.negated = start, end, effects, strong, negated


def _verbs(clause: str) -> list[_Verb]:
    negs = [m.end() for m in _NEG_RX.finditer(clause)]
    out: list[_Verb] = []
    for m in _VERB_RX.finditer(clause):
        idx = int(m.lastgroup[1:])  # type: ignore[index]
        _, effects, strong = _VERBS[idx]
        # negated when a negation sits between the previous comma/verb boundary and this verb
        left = clause.rfind(",", 0, m.start())
        negated = any(left < n <= m.start() and (m.start() - n) < 40 for n in negs)
        out.append(_Verb(m.start(), m.end(), effects, strong, negated))
    # "don't drop or truncate X": negation carries to the following verbs joined by or/and/nor
    for a, b in zip(out, out[1:]):
        if a.negated and not b.negated and re.fullmatch(r"[\s,]*(?:or|and|nor|,)?[\s,]*(?:\w+\s+)?",
                                                         clause[a.end:b.start], re.I):
            b.negated = True
    return out


def _nouns_effects(segment: str) -> frozenset[str]:
    eff: set[str] = set()
    for m in _NOUN_RX.finditer(segment):
        eff |= _NOUNS[int(m.lastgroup[1:])][1]  # type: ignore[index]
    return frozenset(eff)


def _parse_prompt(text: str, index: int, grants: list[Grant], prohibitions: list[Prohibition]) -> None:
    if len(text) > MAX_PROMPT_CHARS:
        text = text[: MAX_PROMPT_CHARS // 2] + "\n" + text[-MAX_PROMPT_CHARS // 2:]
    if text.startswith("/"):  # slash command: the name is not a request, its arguments may be
        text = text.split(None, 1)[1] if " " in text else ""
    if _REVOKE_RX.match(text):
        prohibitions.append(Prohibition("revoke", DESTRUCTIVE, (), _quote(text), index))
    low = text.lower()
    if not any(stem in low for stem in _STEMS):
        return  # most prompts name no destructive operation: skip the clause-level regexes
    for clause in _clauses(text):
        code: list[str] = []
        spans: list[tuple[int, int]] = []
        pieces: list[str] = []
        pos = 0
        for m in _CODE_RX.finditer(clause):
            inner = next(g for g in m.groups() if g is not None)
            pieces.append(clause[pos:m.start()] + " ")
            start = sum(map(len, pieces))
            pieces.append(inner + " ")
            spans.append((start, start + len(inner)))
            code.append(inner)
            pos = m.end()
        pieces.append(clause[pos:])
        plain = "".join(pieces)
        quote = _quote(clause)
        env = _env_of(plain)
        yet = bool(_YET_RX.search(plain))
        glob = _GLOBAL_PROHIBIT_RX.search(plain)
        if glob and "read" in glob.group(0).lower() and \
                re.search(r"\b(?:make|set|mark|chmod|mount)\b", plain[:glob.start()], re.I):
            glob = None  # "make the file read-only" is a request, not a rule for this session
        if glob:
            prohibitions.append(Prohibition("revoke" if yet else "prohibit", DESTRUCTIVE, (), quote, index, env))
        if index and _REVOKE_RX.match(clause) and not _REVOKE_RX.match(text):
            prohibitions.append(Prohibition("revoke", DESTRUCTIVE, (), quote, index))
        verbs = _verbs(plain)
        # "don't touch the database", "leave prod alone": everything on the thing named
        touch = _TOUCH_RX.search(plain)
        if touch and any(n <= touch.start() and touch.start() - n < 30 for n in (m.end() for m in _NEG_RX.finditer(plain))):
            rest = plain[touch.end():]
            objs = tuple(_objects(rest, [c for c in code if c in rest]))
            kinds = _nouns_effects(rest)
            penv = _env_of(rest)
            prohibitions.append(Prohibition("revoke" if yet else "prohibit", kinds or DESTRUCTIVE, objs, quote, index, penv))
        leave = _LEAVE_RX.search(plain)
        if leave and not any(v.start < leave.start() and not v.negated for v in verbs):
            rest = leave.group(1) if leave.group(1) else plain[leave.end():]
            objs = tuple(_objects(rest, [c for c in code if c in rest]))
            if not objs and leave.group(1):
                objs = tuple(o for o in map(_norm_obj, rest.split()) if o and o not in _STOP and not _NOUN_RX.fullmatch(o))
            kinds = _nouns_effects(rest)
            penv = _env_of(rest)
            if objs or kinds or penv != "unknown":
                prohibitions.append(Prohibition("prohibit", kinds or DESTRUCTIVE, objs, quote, index, penv))
        for i, v in enumerate(verbs):
            seg_start = v.start if i else 0
            seg_end = verbs[i + 1].start if i + 1 < len(verbs) else len(plain)
            segment = plain[seg_start:seg_end]
            seg_code = [c for c in code if c in segment]
            objs, weak = _named(segment[v.end - seg_start:] if i else segment, seg_code)
            objs = [o for o in objs if not _VERB_RX.fullmatch(o)]
            d = _DIR_OBJECT_RX.match(plain, v.end)
            if d is not None:
                objs.append(_DIR_PATHS[next(k for k, g in enumerate(d.groups()) if g)])
            kinds = _nouns_effects(segment)
            effects = v.effects & kinds if kinds and (v.effects & kinds) else v.effects
            in_code = any(cs <= v.start < ce for cs, ce in spans)  # `git clean -fdx` names the command itself
            word = plain[v.start:v.end].lower()
            if not in_code and (_NARRATIVE_RX.search(plain, 0, v.start) or (
                    re.fullmatch(r"\w+(?:ed|[^s]s)", word) and not word.endswith(("ss", "us")))):
                continue  # "someone deleted the table", "the CI job drops it nightly", "README says to ..."
            question = _QUESTION_RX.search(plain, 0, v.start) if not v.negated else None
            if question is not None or (glob and not v.negated and _WORDS_ONLY_RX.search(glob.group(0))):
                continue  # "what does git reset --hard do?", "just explain why ..." grant nothing
            cut = _SCOPE_END_RX.search(segment, v.end - seg_start if i else v.end)
            if cut is not None and not v.negated:
                segment = segment[:cut.start()]
                objs = [o for o in objs if o in segment.lower() or any(o in c.lower() for c in seg_code)]
            if _QUALIFIER_RX.search(plain, v.end) and not v.negated:
                effects = effects - {"data.delete_rows", "data.truncate"}
                if not effects:
                    continue
            if _ONE_STEP_RX.search(segment) and not v.negated:
                effects = effects - {"data.reset", "data.drop", "data.truncate"}
                if not effects:
                    continue
            if "history" in segment.lower() and v.effects & FILES:
                effects = effects | GIT_SHARED  # "strip X out of the git history" is a history rewrite
            named_op = bool(re.fullmatch(r"hard[- ]reset|reset\s+--hard|force[- ]?push\w*", plain[v.start:v.end], re.I))
            explicit = bool(objs) or bool(kinds and (v.effects & kinds)) or in_code or named_op
            venv = _env_of(segment)
            if venv == "unknown":
                venv = env
            if v.negated:
                kind: Literal["prohibit", "revoke"] = "revoke" if yet else "prohibit"
                prohibitions.append(Prohibition(kind, effects, tuple(objs), quote, index, venv))
                continue
            if not v.strong and (not explicit or _REFACTOR_RX.search(segment)):
                continue  # "clean up the code" asks for nothing destructive
            if _CODE_OBJECT_RX.match(plain, v.end):
                continue  # "remove the code that reads feature_flags" is an edit, not a deletion of data
            grants.append(Grant(effects, tuple(objs), venv, quote, index, explicit, weak & frozenset(objs)))


def _is_continuation(text: str) -> bool:
    return bool(_CONTINUE_RX.match(text) or _ALSO_RX.match(text)) or len(text.split()) <= 2


def extract_intent(prompts: list[Prompt]) -> Intent:
    """Grants, prohibitions and revocations from human prompts (oldest first); `index` = position in `prompts`."""
    prompts = list(prompts)[-MAX_PROMPTS:]
    grants: list[Grant] = []
    prohibitions: list[Prohibition] = []
    current_from = 0
    for i, p in enumerate(prompts):
        text = p.text or ""
        _parse_prompt(text, i, grants, prohibitions)
        # A prompt that starts a new task ends the currency of earlier grants; "yes", "also drop X" continue it.
        if i and not _is_continuation(text.strip()):
            current_from = i
    return Intent(prompts=prompts, grants=grants, prohibitions=prohibitions, current_from=current_from)


# --------------------------------------------------------------------------- matching a finding

_GENERIC_TARGETS = frozenset({"reset", "clean", "clear", "drop", "?", "", "the current branch", "-"})
_TARGET_SPLIT = LazyRegex(r"\s*(?:,|;|\band\b)\s*")


_IN_CONTAINER = LazyRegex(r"\s+(?:in|on|of)\s+(?:the\s+)?(?:database|db|schema|keyspace|bucket|namespace|repo)\s+(\S+)",
                           re.I)


def _targets(finding: Finding) -> list[tuple[str, str]]:
    """(name, container) pairs a finding acts on, normalised; [] when the target names nothing specific.

    Rule targets look like `users`, `users, orders (DROP ...)`, `users in database app.db (`...`)`,
    `~ (the home directory)`; the parenthetical is the statement, the container is where the name lives.
    """
    raw = re.sub(r"\([^)]*\)", " ", finding.target or "")
    out = []
    for part in _TARGET_SPLIT.split(raw):
        container = ""
        m = _IN_CONTAINER.search(part)
        if m:
            container = _norm_obj(m.group(1))
            part = part[:m.start()]
        words = part.split()
        if not words:
            continue
        n = _norm_obj(words[0])
        if n and n not in _GENERIC_TARGETS and n not in _STOP and not _is_operation(n):
            out.append((n, container))
    return out


def _is_operation(word: str) -> bool:
    """A target that is the command's own operation (`migrate:rollback`, `flush`, `destroy`) names no object."""
    return bool(re.fullmatch(r"[a-z]+(?::[a-z]+)*", word)) and any(_VERB_RX.fullmatch(c) for c in word.split(":"))


def _statement_words(finding: Finding) -> set[str]:
    return {_norm_obj(w) for w in re.findall(r"[\w.$~/-]+", finding.target or "")}


def _obj_matches(obj: str, tgt: str) -> bool:
    if obj == tgt:
        return True
    if tgt.endswith("/" + obj) or tgt.endswith("." + obj) or obj.endswith("/" + tgt):
        return True  # origin/main ~ main, public.users ~ users
    if tgt.startswith(obj + "/") and obj not in ("~", "/", "."):
        return True  # a path inside the directory the human named
    if obj.startswith("~/") and tgt.startswith("/") and tgt.endswith(obj[1:]):
        return True
    return False


def _env_class(env: str) -> str:
    return "local" if env in ("local", "dev", "test") else env


def _env_ok(named: str, actual: str) -> bool:
    a, b = _env_class(named), _env_class(actual)
    return a == "unknown" or b == "unknown" or a == b


def _scope(objects: tuple[str, ...], environment: str, finding: Finding, targets: list[tuple[str, str]],
           command_words: list[str], weak: frozenset[str] = frozenset()) -> bool:
    """True when the statement's objects/environment cover what the finding acts on."""
    if not _env_ok(environment, finding.environment):
        return False
    if not targets and finding.effect not in DATA and finding.effect not in INFRA:
        # "drop the top stash entry": plain words say which, but git's targets do not name entries. A database or
        # cluster action whose target names nothing (`manage.py flush`, `kubectl delete -f k8s/`) acts on the
        # whole thing: a plain word the user named ("the users table") must then appear in the command itself.
        objects = tuple(o for o in objects if o not in weak)
    if not objects:
        return True
    if finding.effect == "data.alter" and any(o in _statement_words(finding) for o in objects):
        return True  # "remove the legacy_flag column": the column is named in the statement, not the target
    if targets:
        def used(o: str) -> bool:
            return any(_obj_matches(o, t) or (c and _obj_matches(o, c)) for t, c in targets)

        # the container covers a target only when every named thing is accounted for: "drop the orders collection
        # in the shop db" names shop as where orders lives, not as consent to drop carts there
        whole = all(used(o) for o in objects)
        return all(any(_obj_matches(o, t) or (whole and c and _obj_matches(o, c)) for o in objects)
                   for t, c in targets)
    return any(_obj_matches(o, w) for o in objects for w in command_words)


def _prohibition_applies(p: Prohibition, finding: Finding, targets: list[tuple[str, str]], words: list[str]) -> bool:
    if finding.effect not in p.effects:
        return False
    if p.environment != "unknown" and _env_class(p.environment) != _env_class(finding.environment):
        return False  # "don't touch prod" says nothing about an action of unknown environment
    if not p.objects:
        return True
    pool = [x for t in targets for x in t if x] or words
    return any(_obj_matches(o, t) for o in p.objects for t in pool)


def match_finding(intent: Intent | None, finding: Finding) -> IntentMatch:
    """Join one finding against the human's grants and prohibitions; the latest relevant statement wins."""
    if intent is None:
        return IntentMatch()
    targets = _targets(finding)
    words = [_norm_obj(w) for w in (finding.command or "").split() if not w.startswith("-")]
    # prohibitions and revocations
    best_p: Prohibition | None = None
    for p in intent.prohibitions:
        if not _prohibition_applies(p, finding, targets, words):
            continue
        if p.kind == "revoke" and not any(g.index < p.index and finding.effect in g.effects for g in intent.grants):
            continue  # nothing earlier to take back
        if best_p is None or (p.index, bool(p.objects)) >= (best_p.index, bool(best_p.objects)):
            best_p = p
    current = [g for g in intent.grants if g.index >= intent.current_from and finding.effect in g.effects]
    matching = [g for g in current if _scope(g.objects, g.environment, finding, targets, words, g.weak)]
    best_g = max(matching, key=lambda g: (g.index, g.explicit, bool(g.objects)), default=None)
    if best_g is not None:
        if best_p is None or best_g.index > best_p.index or (
                best_g.index == best_p.index and best_g.objects and not best_p.objects and best_p.kind == "prohibit"):
            return IntentMatch("grant", best_g.quote, best_g.explicit, best_g.objects, best_g.environment, best_g.index)
    if best_p is not None:
        return IntentMatch(best_p.kind, best_p.quote, True, best_p.objects, best_p.environment, best_p.index)
    if current:
        g = max(current, key=lambda g: g.index)
        return IntentMatch("wrong_target", g.quote, g.explicit, g.objects, g.environment, g.index)
    latest = _quote(intent.prompts[-1].text) if intent.prompts else ""  # what the user is asking for now
    stale = [g for g in intent.grants if g.index < intent.current_from and finding.effect in g.effects]
    if stale:
        return IntentMatch("none", latest, stale_quote=stale[-1].quote)
    return IntentMatch("none", latest)
