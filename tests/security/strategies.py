"""Hypothesis strategies for any TicketDesk request, built from the proto descriptors.

`requests(descriptor, known)` draws messages of any request type, half of them made of
plausible values only (so that more get past validation) and half hostile: every field
optional, strings from plain and hostile text, long text, resource names that exist (`known`),
look real or are near misses; integers at their edges; doubles with NaN and infinities;
enums with unknown numbers; repeated and map fields; nested messages; timestamps out of
range and field masks with real and invented paths. `raw_requests` draws bytes that are
mostly not a valid serialization: random bytes and broken encodings of real requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from google.protobuf import descriptor as d
from google.protobuf import message_factory
from google.protobuf.message import Message
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

MAX_DEPTH = 3
INT_RANGES = {
    d.FieldDescriptor.CPPTYPE_INT32: (-2**31, 2**31 - 1),
    d.FieldDescriptor.CPPTYPE_INT64: (-2**63, 2**63 - 1),
    d.FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    d.FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
}
HOSTILE = ["", " ", "\x00", "a\x00b", "-", "*", "%", "_", "\\", "'", "' OR '1'='1", "--",
           "../../etc/passwd", "\u202etxt.exe", "🎫" * 3, "Ё" * 10, "\n", "\r\n\t", "null",
           "NaN", "-1", "0", "1e309", "9" * 40, "<script>alert(1)</script>", "${jndi:x}",
           "organizations/-", "studioSettings", "users/me", "tickets/", "files/",
           "²", "#²", "١٢", "#１２"]  # digits to str.isdigit(), not all of them to int()
COLLECTIONS = ["tickets", "organizations", "users", "files", "apiTokens", "services"]
SUFFIXES = ["", "/", "//", "/..", "\n", " ", "\x00", "/comments/1", "/sites/-",
            "/sessions/-", "/history/1", "/notifications/x", "%2F"]
# Values some fields are checked against, so that drawing reaches past the first check.
SPECIAL = {
    "date": ["2026-12-31", "2026-02-30", "1970-01-01", "0001-01-01", "9999-12-31",
             "2026-13-01", "31.12.2026", "2026-1-1"],
    "time": ["09:00", "18:00", "00:00", "23:59", "24:00", "25:61", "9", "18:00:00"],
    "timezone": ["Europe/Moscow", "UTC", "Mars/Olympus", "Europe/../UTC", "+03:00"],
    "language": ["ru", "en", "xx", "RU", "ru-RU"],
    "order_by": ["update_time desc", "create_time", "priority desc", "desired_date",
                 "sla_due_time", "title; DROP TABLE tickets", "create_time asc desc"],
    "kind": ["comment", "status_changed", "reminder", "sla_breach", "auto_accepted"],
    "breached_goal": ["first_response", "resolution"],
    "url": ["https://example.test/", "http://localhost", "javascript:alert(1)",
            "https://ü.example/" + "a" * 300, "ftp://x", "//x"],
    "content_type": ["text/plain", "image/png", "application/x-msdownload"],
    "priority_key": ["low", "normal", "high", "critical"],
}
FIELD_KINDS = {"desired_date": "date", "planned_date": "date", "holidays": "date",
               "workdays": "date", "opens": "time", "closes": "time", "timezone": "timezone",
               "language": "language", "order_by": "order_by", "kind": "kind",
               "breached_goal": "breached_goal", "url": "url",
               "declared_content_type": "content_type"}


@dataclass(frozen=True)
class Known:
    """What a caller's requests may name: real names and e-mails of existing resources.

    `big_numbers_only`: generated names never denote a small ticket number, for callers
    that may change any ticket (staff, service) and must leave other tickets alone.
    """

    names: Sequence[str]
    emails: Sequence[str]
    big_numbers_only: bool = False
    # Only values a careful client might send, so that requests pass validation and
    # reach the deeper code (storage, workflows) more often than hostile ones do.
    plausible: bool = False


def text() -> SearchStrategy[str]:
    # Long values are repetitions: Hypothesis draws at most a few kilobytes per example.
    return st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE),
                     st.text(min_size=1, max_size=10).map(lambda s: s * 300),
                     st.sampled_from(["a", "\x00", "ё", "🎫"]).map(lambda c: c * 70_000))


def ids(known: Known) -> SearchStrategy[str]:
    if known.big_numbers_only:
        numbers = st.integers(10**12, 2**70) | st.integers(-2**70, 0)
        words = st.text(max_size=40).filter(lambda s: not any(c.isnumeric() for c in s))
    else:
        numbers = st.integers(-2**70, 2**70)
        words = st.text(max_size=40)
    odd_digits = st.sampled_from(["²", "1²", "²³"] if known.big_numbers_only else ["²", "١٢", "１"])
    return st.one_of(numbers.map(str), words, odd_digits,
                     st.binary(min_size=16, max_size=16).map(bytes.hex))


def resource_names(known: Known) -> SearchStrategy[str]:
    real = st.sampled_from(list(known.names))
    return st.one_of(
        real,
        st.tuples(real, st.sampled_from(SUFFIXES)).map("".join),
        real.map(str.upper),
        real.map(lambda name: name.rsplit("/", 1)[0]),
        st.tuples(st.sampled_from(COLLECTIONS), ids(known)).map("/".join),
    )


def emails(known: Known) -> SearchStrategy[str]:
    real = st.sampled_from(list(known.emails))
    return st.one_of(real, real.map(str.upper), real.map(lambda e: f" {e} "),
                     st.tuples(st.text(max_size=20), st.text(max_size=20))
                     .map(lambda p: f"{p[0]}@{p[1]}.test"),
                     st.just("a@b.c"), st.just("x" * 250 + "@example.test"))


def plain_text() -> SearchStrategy[str]:
    return st.text(alphabet="abcdefghijklmnopqrstuvwxyzАБВгдеё0123456789 .,-", min_size=1,
                   max_size=30)


def strings(field: d.FieldDescriptor, known: Known) -> SearchStrategy[str]:
    if known.plausible:
        choices = [plain_text(), st.sampled_from(list(known.names))]
    else:
        choices = [text(), resource_names(known)]
    kind = FIELD_KINDS.get(field.name)
    if kind:
        choices.append(st.sampled_from(SPECIAL[kind]))
    if "email" in field.name:
        choices.append(st.sampled_from(list(known.emails)) if known.plausible else emails(known))
    if "password" in field.name:
        choices.append(st.text(min_size=8, max_size=80))
    return st.one_of(choices)


def integers(field: d.FieldDescriptor, known: Known) -> SearchStrategy[int]:
    if known.plausible:
        return st.integers(0, 10) | st.sampled_from([20, 100, 1000])
    low, high = INT_RANGES[field.cpp_type]
    edges = [e for e in (low, high, 0, 1, -1, 2, 5, 6, 100, 1000, 10_001, 2**31, 2**53 + 1)
             if low <= e <= high]
    return st.sampled_from(edges) | st.integers(low, high)


def enums(field: d.FieldDescriptor, known: Known) -> SearchStrategy[int]:
    values = st.sampled_from([v.number for v in field.enum_type.values])
    return values if known.plausible else values | st.integers(-2**31, 2**31 - 1)


def scalar(field: d.FieldDescriptor, known: Known) -> SearchStrategy:
    t = field.cpp_type
    if field.type == d.FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=64) | st.binary(min_size=1, max_size=8).map(lambda b: b * 9000)
    if t == d.FieldDescriptor.CPPTYPE_STRING:
        return strings(field, known)
    if t in INT_RANGES:
        return integers(field, known)
    if t == d.FieldDescriptor.CPPTYPE_DOUBLE and known.plausible:
        return st.floats(0, 100) | st.sampled_from([float("nan"), float("inf")])
    if t == d.FieldDescriptor.CPPTYPE_DOUBLE:
        return st.floats() | st.sampled_from([0.0, -0.0, 0.5, 1.0, 365.0, 10_000.0, 1e308])
    if t == d.FieldDescriptor.CPPTYPE_FLOAT:
        return st.floats(width=32)
    if t == d.FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if t == d.FieldDescriptor.CPPTYPE_ENUM:
        return enums(field, known)
    raise TypeError(f"no strategy for {field.full_name}")


def timestamps(cls, known: Known) -> SearchStrategy[Message]:
    if known.plausible:  # 2020–2030
        return st.builds(lambda s: cls(seconds=s), st.integers(1_577_836_800, 1_893_456_000))
    seconds = st.sampled_from([0, -1, -62135596800, -62135596801, 253402300799, 253402300800,
                               2**62, -2**62]) | st.integers(-2**63, 2**63 - 1)
    nanos = st.sampled_from([0, 999_999_999, 10**9, -1]) | st.integers(-2**31, 2**31 - 1)
    return st.builds(lambda s, n: cls(seconds=s, nanos=n), seconds, nanos)


def field_masks(cls, owner: d.Descriptor, known: Known) -> SearchStrategy[Message]:
    """Paths that exist in the message being updated (and nested ones), and invented ones."""
    real = sorted({f"{m.name}.{f.name}" for m in owner.fields if m.message_type
                   for f in m.message_type.fields}
                  | {f.name for m in owner.fields if m.message_type for f in m.message_type.fields})
    path = st.one_of(st.sampled_from(real or ["name"]), st.sampled_from(["*", "", ".", "name."]),
                     st.text(max_size=30))
    if known.plausible:
        path = st.sampled_from(real or ["name"])
    return st.lists(path, max_size=6).map(lambda paths: cls(paths=paths))


def value(field: d.FieldDescriptor, owner: d.Descriptor, known: Known,
          depth: int) -> SearchStrategy:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        key, val = (field.message_type.fields_by_name[n] for n in ("key", "value"))
        keys = st.sampled_from(SPECIAL["priority_key"]) | scalar(key, known)
        return st.dictionaries(keys, single(val, owner, known, depth), max_size=5)
    one = single(field, owner, known, depth)
    return st.lists(one, max_size=5) if field.is_repeated else one


def single(field: d.FieldDescriptor, owner: d.Descriptor, known: Known,
           depth: int) -> SearchStrategy:
    if field.message_type is None:
        return scalar(field, known)
    cls = message_factory.GetMessageClass(field.message_type)
    if field.message_type.full_name == "google.protobuf.Timestamp":
        return timestamps(cls, known)
    if field.message_type.full_name == "google.protobuf.FieldMask":
        return field_masks(cls, owner, known)
    return messages(field.message_type, known, depth + 1)


def requests(descriptor: d.Descriptor, known: Known, depth: int = 0) -> SearchStrategy[Message]:
    """Messages of `descriptor`'s type with any subset of its fields set: half of them
    plausible, half hostile."""
    if depth == 0 and not known.plausible:
        return st.one_of(messages(descriptor, replace(known, plausible=True), depth),
                         messages(descriptor, known, depth))
    return messages(descriptor, known, depth)


def messages(descriptor: d.Descriptor, known: Known, depth: int) -> SearchStrategy[Message]:
    cls = message_factory.GetMessageClass(descriptor)
    if depth >= MAX_DEPTH:
        return st.just(cls())
    optional = {f.name: value(f, descriptor, known, depth) for f in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: assemble(cls, values))


def assemble(cls, values: dict) -> Message:
    message = cls()
    for name, drawn in values.items():
        field = cls.DESCRIPTOR.fields_by_name[name]
        target = getattr(message, name)
        if isinstance(drawn, dict):  # a map field
            for key, item in drawn.items():
                if isinstance(item, Message):
                    target[key].CopyFrom(item)
                else:
                    target[key] = item
        elif field.is_repeated:
            for item in drawn:
                target.add().CopyFrom(item) if isinstance(item, Message) else target.append(item)
        elif isinstance(drawn, Message):
            target.CopyFrom(drawn)
        else:
            setattr(message, name, drawn)
    return message


# ------------------------------------------------------------------ invalid encodings

BROKEN = [
    b"\x0a\x02\xff\xfe",  # field 1 as a string that is not UTF-8
    b"\x0a\xff\xff\xff\xff\x0f",  # field 1 claims 4 GiB
    b"\x08" + b"\xff" * 10 + b"\x01",  # a varint longer than 64 bits
    b"\x0b",  # a start-group tag with no end
    b"\x0f",  # wire type 7 does not exist
    b"\x00",  # field number 0
    b"\x12\x03\x0a\x01",  # a nested message cut short
]


def mutate(encoded: bytes, how: str, at: int, junk: bytes) -> bytes:
    at = at % (len(encoded) + 1)
    if how == "truncate":
        return encoded[:at]
    if how == "flip" and encoded:
        at = min(at, len(encoded) - 1)
        return encoded[:at] + bytes([encoded[at] ^ 0xFF]) + encoded[at + 1:]
    if how == "insert":
        return encoded[:at] + junk + encoded[at:]
    return encoded + junk


def raw_requests(descriptor: d.Descriptor, known: Known) -> SearchStrategy[bytes]:
    """Bytes sent where a serialized `descriptor` is expected: mostly invalid ones."""
    encoded = requests(descriptor, known).map(lambda m: m.SerializeToString())
    junk = st.sampled_from(BROKEN) | st.binary(min_size=1, max_size=16)
    return st.one_of(
        st.binary(max_size=256),
        st.sampled_from(BROKEN),
        st.builds(mutate, encoded, st.sampled_from(["truncate", "flip", "insert", "append"]),
                  st.integers(0, 2**16), junk),
    )
