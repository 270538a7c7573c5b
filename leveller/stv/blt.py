"""Read and write the BLT ballot format (as used by OpenSTV, droop, eSTV and many published data sets).

Layout::

    C S                      number of candidates, number of seats
    -2 -5                    optional: withdrawn candidates, as negative numbers
    1 2 3 0                  one ballot: a weight, then preferences (candidate numbers from 1), then 0
    ...
    0                        end of the ballots
    "Name 1"                 C quoted names, in candidate-number order; a name line may also carry
    "Name 2" "Party"         a second quoted string, the candidate's party
    "Title"                  a quoted title

Whitespace, including newlines, is not significant between numbers. Every parsing problem raises
:class:`BLTError`, whose message starts with the line number: ``line 14: preference 12 is not a candidate
(there are 10)``.
"""

from __future__ import annotations

import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice, repeat
from operator import itemgetter, mul

from .model import Election, ElectionError, STVError


class BLTError(STVError, ValueError):
    """A BLT file that cannot be read; ``line`` is the 1-based line number of the problem."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


WORD, TEXT = 0, 1


def _tokens(text: str, first_line: int = 1) -> Iterator[tuple[int, str, int]]:
    """Yield ``(kind, text, line)``: bare words and quoted strings, each with its line number."""
    for number, line in enumerate(text.splitlines(), first_line):
        if '"' not in line:
            for word in line.split():
                yield WORD, word, number
            continue
        i, n = 0, len(line)
        while i < n:
            ch = line[i]
            if ch.isspace():
                i += 1
            elif ch == '"':
                end = line.find('"', i + 1)
                if end < 0:
                    raise BLTError(number, 'a quoted name is not closed (missing ")')
                yield TEXT, line[i + 1 : end], number
                i = end + 1
            else:
                j = i
                while j < n and not line[j].isspace() and line[j] != '"':
                    j += 1
                yield WORD, line[i:j], number
                i = j


def _int(word: str, line: int, what: str) -> int:
    try:
        return int(word)
    except ValueError:
        if "=" in word:
            raise BLTError(line, f"equal preferences ({word!r}) are not supported") from None
        if word == "-":
            raise BLTError(line, "skipped preferences ('-') are not supported") from None
        raise BLTError(line, f"{what} {word!r} is not a whole number") from None


Ballots = list[tuple[int, tuple[int, ...]]]
Totals = dict[tuple[int, ...], int]


def _withdrawn_line(line: str, ncand: int) -> set[int] | None:
    """The candidates withdrawn on a line such as ``-2 -5``; None if the line holds anything else."""
    withdrawn: set[int] = set()
    for word in line.split():
        if not (word.startswith("-") and word[1:].isdigit() and 1 <= int(word[1:]) <= ncand):
            return None
        withdrawn.add(int(word[1:]))
    return withdrawn


# Characters other than "\n" that str.splitlines() also breaks lines at (in ASCII text).
_OTHER_LINE_BREAKS = (b"\r", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")

Single = tuple[set[int], Callable[[], Ballots], dict[bytes, int], bytes, int]


def _single_papers(data: bytes, ncand: int) -> Single | None:
    """The layout an election's ballot export writes, read in a few passes over the whole file: the header
    alone on line 1, optionally a line of withdrawn candidates, then one paper per line (weight 1, written
    ``1 ...``) up to a line holding just 0, in ASCII with "\\n" line ends. Identical lines are counted first
    (each line one C-level step); then the distinct lines are joined and turned into rankings all at once:
    every number becomes a byte (0, the end of a ranking, 255) and the bytes are cut where an end is followed
    by the next line's weight. Returns ``(withdrawn, ballots, papers per ranking, the bytes after the 0 line,
    their first line number)``, or None for anything else, so that the line-by-line reader (or the general one)
    reads the file. What this accepts is one paper per line and nothing else, so it means the same ballots
    to the general reader."""
    if ncand > 254:
        return None
    start = data.find(b"\n") + 1
    withdrawn: set[int] = set()
    lines_before = 1
    if data[start : start + 64].lstrip(b" \t").startswith(b"-"):
        end_line = data.find(b"\n", start)
        line = data[start:end_line]
        gone = _withdrawn_line(line.decode("ascii"), ncand) if end_line > 0 and line.isascii() else None
        if gone is None:
            return None
        withdrawn, start, lines_before = gone, end_line + 1, 2
    if start <= 0 or not data[:start].isascii() or any(map(data[:start].__contains__, _OTHER_LINE_BREAKS)):
        return None
    # The line holding just 0: the last one is found, from the end (the names are short). Were it not also the
    # first, an earlier one would be among the papers' lines and fail the check that each ends in " 0".
    zero = data.rfind(b"\n0\n", start - 1)  # the "\n" that ends the last paper's line
    if zero <= start:
        return None
    rest = data[zero + 3 :]
    papers = io.BytesIO(data)  # shares the bytes: no copy of the file
    papers.seek(start)
    counted = Counter(papers)  # each distinct line once ("\n" kept), in order of first appearance
    for line in (b"0\n", *io.BytesIO(rest)):  # the lines counted after the papers' lines: uncounted again
        if counted[line] == 1:
            del counted[line]
        else:
            counted[line] -= 1
    distinct = list(counted)
    blob = b"\n" + b"".join(distinct)  # every line is in here once: the checks on it hold for the file
    if not distinct or not blob.isascii() or any(map(blob.__contains__, _OTHER_LINE_BREAKS)):
        return None  # no papers, not ASCII, or another line break (line numbers here count "\n" only)
    if blob.count(b" 0\n") != len(distinct) or blob.count(b"\n1 ") != len(distinct):
        return None  # a line not ending in " 0" or not starting with "1 " (a weight other than 1); "\n" ends lines
    byte = {str(c).encode(): c - 1 for c in range(1, ncand + 1)}
    byte[b"0"] = 255
    try:  # "7" -> candidate 6 (the weight "1" -> 0), "0" -> 255; anything else is a KeyError
        packed = bytes(bytearray(map(byte.__getitem__, blob.split())))  # (a bytearray grows faster)
    except KeyError:
        return None
    if packed.count(255) != len(distinct):
        return None  # a 0 inside a line
    keys = packed[1:-1].split(b"\xff\x00")  # each line is 0 (its weight), the ranking, 255
    if len(keys) != len(distinct):
        return None
    if list(map(len, keys)) != list(map(len, map(set, keys))):
        return None  # a candidate ranked twice: the general parser names the line
    packed_totals = dict(zip(keys, counted.values(), strict=True))  # what a count uses (Election.grouped_keys)
    if len(packed_totals) != len(keys):  # lines written differently (spacing) with the same ranking: add them up
        packed_totals = {}
        for key, n in zip(keys, counted.values(), strict=True):
            packed_totals[key] = packed_totals.get(key, 0) + n
    count = sum(counted.values())

    def ballots() -> Ballots:  # every paper in file order, made only if someone asks for election.ballots
        parsed = dict(zip(distinct, zip(repeat(1), map(tuple, keys)), strict=True))
        lines = io.BytesIO(data)
        lines.seek(start)
        return list(map(parsed.__getitem__, islice(lines, count)))

    return withdrawn, ballots, packed_totals, rest, lines_before + count + 2  # the line after the 0's


def _fast_ballots(lines: list[str], ncand: int) -> tuple[set[int], Callable[[], Ballots], Totals, int] | None:
    """The common layout, read line by line: the header alone on line 1, optionally a line of withdrawn
    candidates, then one whole ballot per line up to a line holding just 0. Each distinct line is parsed once;
    identical lines share one ballot tuple. Returns ``(withdrawn, ballots, papers per ranking, index of the line
    after the 0)``, or None for any other layout or any problem, so that the general parser reads the file and
    names the line at fault."""
    i = 1
    withdrawn: set[int] = set()
    if i < len(lines) and lines[i].lstrip().startswith("-"):
        gone = _withdrawn_line(lines[i], ncand)
        if gone is None:
            return None
        withdrawn = gone
        i += 1
    try:
        end = lines.index("0", i)
    except ValueError:
        return None
    section = lines[i:end]
    counted = Counter(section)  # each distinct line once, in order of first appearance
    distinct = list(counted)
    # Every step below loops in C (map, itemgetter, partial): a per-line Python loop was most of a count's time.
    try:
        words = list(map(str.split, distinct))
        weights_text = list(map(itemgetter(0), words))
        if set(map(itemgetter(-1), words)) != {"0"}:
            return None
        number = {str(c): c - 1 for c in range(1, ncand + 1)}  # "7" -> candidate 6; anything else: KeyError
        rankings = list(map(tuple, map(partial(map, number.__getitem__), map(itemgetter(slice(1, -1)), words))))
    except (IndexError, KeyError):  # an empty line, or a word that is not a candidate number as written
        return None
    if list(map(len, rankings)) != list(map(len, map(set, rankings))):
        return None  # a candidate ranked twice: the general parser names the line
    if set(weights_text) == {"1"}:
        weights = [1] * len(distinct)
        papers = list(counted.values())
    else:
        try:
            weights = list(map(int, weights_text))
        except ValueError:
            return None
        if min(weights) < 1:
            return None
        papers = list(map(mul, weights, counted.values()))
    totals: Totals = dict(zip(rankings, papers, strict=True))
    if len(totals) != len(rankings):  # lines written differently (spacing) with the same ranking: add them up
        totals = {}
        for ranking, n in zip(rankings, papers, strict=True):
            totals[ranking] = totals.get(ranking, 0) + n

    def ballots() -> Ballots:  # every paper in file order, made only if someone asks for election.ballots
        parsed = dict(zip(distinct, zip(weights, rankings, strict=True), strict=True))
        return list(map(parsed.__getitem__, section))

    return withdrawn, ballots, totals, end + 1


def _header(first_line: str | bytes) -> tuple[int, int] | None:
    """``(candidates, seats)`` from a first line holding just those two numbers, else None."""
    header = first_line.split()
    if len(header) == 2 and all(w.isdigit() for w in header) and 1 <= int(header[1]) <= int(header[0]):
        return int(header[0]), int(header[1])
    return None


def _finish_single(single: Single, rest: str, ncand: int, seats: int) -> Election:
    withdrawn, ballots, packed, _, first = single
    last = max(1, first - 1 + len(rest.splitlines()))

    def totals() -> Totals:  # papers per ranking as tuples, made only if someone asks (Election.grouped)
        return {tuple(key): n for key, n in packed.items()}

    return _finish(_tokens(rest, first_line=first), ncand, seats, withdrawn, ballots, last, totals, packed)


def parse_blt(text: str) -> Election:
    """Parse BLT text into an :class:`Election`; raises :class:`BLTError` naming the line of any problem."""
    return _parse(text)


def _parse(text: str, try_single: bool = True) -> Election:
    if text.startswith("\ufeff"):
        text = text[1:]
    end = text.find("\n")
    header = _header(text if end < 0 else text[:end])
    if header is not None:
        single = _single_papers(text.encode("utf-8", "surrogatepass"), header[0]) if try_single else None
        if single is not None:
            return _finish_single(single, single[3].decode("utf-8", "surrogatepass"), *header)
        lines = text.splitlines()
        fast = _fast_ballots(lines, header[0])
        if fast is not None:
            fast_withdrawn, fast_ballots, totals, after = fast
            rest = _tokens("\n".join(lines[after:]), first_line=after + 1)
            last = max(1, len(lines))
            return _finish(rest, *header, fast_withdrawn, fast_ballots, last, totals)
    tokens = _tokens(text)
    last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))

    def take(expect: str) -> tuple[int, str, int]:
        try:
            return next(tokens)
        except StopIteration:
            raise BLTError(last_line, f"unexpected end of file: expected {expect}") from None

    # Header: candidates and seats.
    kind, word, line = take("the number of candidates and seats")
    if kind == TEXT:
        raise BLTError(line, "the file must start with the number of candidates and the number of seats")
    ncand = _int(word, line, "number of candidates")
    kind, word, line2 = take("the number of seats")
    if kind == TEXT:
        raise BLTError(line2, "the number of seats is missing after the number of candidates")
    seats = _int(word, line2, "number of seats")
    if ncand < 1:
        raise BLTError(line, f"there must be at least one candidate, not {ncand}")
    if seats < 1 or seats > ncand:
        raise BLTError(line2, f"the number of seats must be between 1 and {ncand}, not {seats}")

    # Withdrawn candidates (negative numbers), then ballots up to a lone 0.
    withdrawn: set[int] = set()
    ballots: list[tuple[int, tuple[int, ...]]] = []
    kind, word, line = take("a ballot or the 0 that ends the ballots")
    while kind == WORD and word.startswith("-") and word != "-":
        value = _int(word, line, "withdrawn candidate")
        if -value > ncand:
            raise BLTError(line, f"withdrawn candidate {-value} is not a candidate (there are {ncand})")
        withdrawn.add(-value)
        kind, word, line = take("a ballot or the 0 that ends the ballots")
    valid = range(1, ncand + 1)
    while True:
        if kind == TEXT:
            raise BLTError(line, f'found the name "{word}" before the 0 that ends the ballots')
        weight = _int(word, line, "ballot weight")
        if weight == 0:
            break
        if weight < 0:
            raise BLTError(line, f"ballot weight {weight} is negative")
        start = line
        prefs: list[int] = []
        seen: set[int] = set()
        while True:
            try:
                kind, word, line = next(tokens)
            except StopIteration:
                problem = f"the ballot that starts on line {start} has no terminating 0"
                raise BLTError(last_line, problem) from None
            hint = f" (is the 0 missing at the end of line {start}?)" if line != start else ""
            if kind == TEXT:
                raise BLTError(line, f"the ballot that starts on line {start} has no terminating 0")
            pref = _int(word, line, "preference")
            if pref == 0:
                break
            if pref not in valid:
                raise BLTError(line, f"preference {pref} is not a candidate (there are {ncand}){hint}")
            if pref in seen:
                raise BLTError(line, f"candidate {pref} is ranked twice in one ballot{hint}")
            seen.add(pref)
            prefs.append(pref - 1)
        ballots.append((weight, tuple(prefs)))
        kind, word, line = take("a ballot or the 0 that ends the ballots")
    return _finish(tokens, ncand, seats, withdrawn, ballots, last_line)


def _finish(
    tokens: Iterator[tuple[int, str, int]],
    ncand: int,
    seats: int,
    withdrawn: set[int],
    ballots: Ballots | Callable[[], Ballots],
    last_line: int,
    totals: Totals | Callable[[], Totals] | None = None,
    packed: dict[bytes, int] | None = None,
) -> Election:
    """Read the names (one per line, optionally followed by a party) and the title; build the Election."""
    strings: list[tuple[str, int]] = []
    for kind, word, line in tokens:
        if kind == WORD:
            raise BLTError(line, f"expected a quoted candidate name or title, found {word!r}")
        strings.append((word, line))
    lines: dict[int, list[str]] = {}
    for s, ln in strings:
        lines.setdefault(ln, []).append(s)
    groups = list(lines.items())
    parties: list[str | None] | None = None
    if len(strings) < ncand:
        where = strings[-1][1] if strings else last_line
        raise BLTError(where, f"too few names: {ncand} candidates but {len(strings)} quoted names")
    paired = any(len(g) > 1 for _, g in groups)
    fits_lines = (
        len(groups) in (ncand, ncand + 1)
        and all(len(g) <= 2 for _, g in groups[:ncand])
        and (len(groups) == ncand or len(groups[ncand][1]) == 1)
    )
    if paired and fits_lines:
        names = [g[0] for _, g in groups[:ncand]]
        parties = [g[1] if len(g) > 1 else None for _, g in groups[:ncand]]
        title = groups[ncand][1][0] if len(groups) > ncand else ""
    elif len(strings) in (ncand, ncand + 1):
        names = [s for s, _ in strings[:ncand]]
        title = strings[ncand][0] if len(strings) > ncand else ""
    else:
        extra = strings[ncand + 1][1]
        found = len(strings)
        raise BLTError(extra, f"too many names: {ncand} candidates and a title, but {found} quoted strings")
    seen_names: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen_names:
            where = strings[i][1] if parties is None else groups[i][0]
            raise BLTError(where, f'candidate name "{name}" is used twice')
        seen_names[name] = i
    try:
        if totals is None:
            return Election(names, seats, ballots, frozenset(w - 1 for w in withdrawn), title, parties)  # type: ignore[arg-type]
        gone = frozenset(w - 1 for w in withdrawn)
        return Election.from_checked(names, seats, ballots, totals, gone, title, parties, packed)
    except ElectionError as exc:
        raise BLTError(1, str(exc)) from None


def read_blt(path: str | os.PathLike[str]) -> Election:
    """Read a BLT file (UTF-8, or Latin-1 when it is not valid UTF-8)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # as "utf-8-sig" reads it: one BOM dropped
    end = data.find(b"\n")
    header = _header(data[:end] if 0 <= end < 100 else b"")
    single = None if header is None else _single_papers(data, header[0])
    if header is not None and single is not None:  # the papers' lines are ASCII: only the rest needs decoding
        try:
            rest = single[3].decode("utf-8")
        except UnicodeDecodeError:
            pass  # a Latin-1 file: read as a whole below
        else:
            return _finish_single(single, rest, *header)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return _parse(text, try_single=header is None or single is not None)  # not the same work twice


def _quote(s: str, what: str) -> str:
    if '"' in s or "\n" in s or "\r" in s:
        raise ElectionError(f"{what} {s!r} cannot be written to BLT (it contains a quote or a newline)")
    return f'"{s}"'


def format_blt(election: Election) -> str:
    """The election as BLT text (ballots written one per line, in their stored order)."""
    out = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        out.append(" ".join(f"-{w + 1}" for w in sorted(election.withdrawn)))
    for weight, ranking in election.ballots:
        out.append(" ".join([str(weight), *(str(c + 1) for c in ranking), "0"]))
    out.append("0")
    parties = election.parties or [None] * len(election.candidates)
    for name, party in zip(election.candidates, parties, strict=True):
        line = _quote(name, "candidate name")
        out.append(line if party is None else f"{line} {_quote(party, 'party')}")
    out.append(_quote(election.title, "title"))
    return "\n".join(out) + "\n"


def write_blt(election: Election, path: str | os.PathLike[str]) -> None:
    """Write the election to ``path`` as UTF-8 BLT."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(format_blt(election))
