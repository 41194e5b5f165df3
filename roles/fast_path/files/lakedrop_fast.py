"""lakedrop.delivery fast path: small new objects copied straight from S3 into the delivery's EFS directory.

Runs on AWS Lambda (Python 3.12, boto3 only) in the VPC, with the delivery's access point mounted at
LAKEDROP_MOUNT_PATH. Fed by two SQS queues of S3 notifications (ObjectCreated; ObjectRemoved when deletes
are propagated). Configured by environment (all required; a bad value stops the invocation, naming it,
before anything is read or written):
  LAKEDROP_MOUNT_PATH             where the access point's root is mounted (the tree DataSync writes)
  LAKEDROP_SOURCE_BUCKET          the source bucket
  LAKEDROP_SOURCE_SUBDIRECTORY    the delivery's prefix, as the DataSync S3 location's subdirectory ("" = root)
  LAKEDROP_MAX_BYTES              objects larger than this are left to DataSync (0: every object is)
  LAKEDROP_PROPAGATE_DELETES      "true" or "false"

What the function does not copy it reports as a batch item failure (ReportBatchItemFailures): the
created-objects queue redrives it to the DataSync queue on its next receive (maxReceiveCount 1), so the
trigger delivers it as before; the deletes queue retries it, then its dead-letter queue keeps it.

Copies land as DataSync's would: the same path (the key relative to the subdirectory, under the mount), the
object's LastModified as mtime, mode 0644 (directories 0755), written to a hidden temporary file in the
target directory and renamed into place, so readers never see a partial file. Ordering: per key, the greatest
S3 sequencer applied is kept under <mount>/.lakedrop-fast/ (see State), so an older event never overwrites
or deletes a newer result and a duplicate is a no-op. A copy killed by Lambda's timeout (no cleanup runs)
leaves its temporary file behind: every copy in progress is registered under <mount>/.lakedrop-fast/inflight/
(see Inflight), and the first invocation of each runtime removes what dead invocations left there.
"""

import base64
import errno
import fcntl
import hashlib
import json
import os
import random
import re
import stat
import time
import zlib
from urllib.parse import unquote_plus

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

STATE_DIRECTORY = ".lakedrop-fast"
CHUNK_BYTES = 1024 * 1024  # what one read of the object's stream may return: memory stays bounded
FILE_MODE = 0o644  # DataSync's mode for objects without POSIX metadata (DataSync user guide)
DIRECTORY_MODE = 0o755
STATE_FILE_MODE = 0o600
STATE_DIRECTORY_MODE = 0o700
# S3's refusals that pass (throttling, a service hiccup).
RETRYABLE = {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout", "ThrottlingException"}
# What S3 answers for a key (or version) that does not exist: with s3:ListBucket, 404 rather than 403.
MISSING = {"NoSuchKey", "NoSuchVersion", "404", "NotFound"}
# Work stops this long before Lambda's timeout, so the unfinished messages are answered as failures (the
# client's connect and read timeouts are shorter: a stalled read ends inside the budget).
RESERVE_SECONDS = 3.0
LOCK_POLL_SECONDS = 0.05
INFLIGHT_DIRECTORY = "inflight"  # under STATE_DIRECTORY: one entry per copy in progress
# An in-flight entry older than the function's timeout belongs to a dead invocation; the margin covers the
# clocks (the entry's mtime is the file server's, the age is measured on the Lambda host).
SWEEP_MARGIN_SECONDS = 60.0
TEMPORARY_FILE = re.compile(r"\..+\.lakedrop-[0-9a-f]{12}\.tmp", re.DOTALL)  # what temporary_name makes

_CLIENTS = {}
_RUNTIME = {"swept": False}  # whether this runtime's first invocation (its cold start) has swept


class ConfigurationError(RuntimeError):
    """The function's environment is wrong: every message comes back until the deployment is fixed."""


class Forward(Exception):
    """This record is not handled here: answered as a batch item failure, with a reason for the log."""


class Refused(Forward):
    """This record must not be handled by either path (a key naming the fast path's own state): logged, done."""


def _client(service):
    """One client per container; botocore's own retries are off (`call` retries within the time budget), and
    its timeouts are short so a stalled connection ends well inside the function's 30 s."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(
            service,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=2, read_timeout=2),
        )
    return _CLIENTS[service]


def now():
    """Monotonic seconds (the time budget's clock; tests replace it)."""
    return time.monotonic()


def log(**fields):
    print(json.dumps(fields, default=str, ensure_ascii=False), flush=True)


def error_code(err):
    return err.response.get("Error", {}).get("Code", "")


# --- the one boto3 call site, with retries inside the time budget --------------------------------


def call(operation, deadline, **params):
    """The response of one S3 call; refusals in RETRYABLE are retried with jittered backoff until `deadline`
    (monotonic seconds), every other error is raised at once."""
    delay = 0.2
    while True:
        try:
            return getattr(_client("s3"), operation)(**params)
        except ClientError as err:
            if error_code(err) not in RETRYABLE or now() + delay > deadline:
                raise
        time.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto
        delay = min(delay * 2, 2.0)


# --- configuration -------------------------------------------------------------------------------------


def settings(environ):
    """The function's settings from its environment; ConfigurationError names the first wrong variable."""

    def need(name):
        if name not in environ:
            raise ConfigurationError(f"{name} is not set")
        return environ[name]

    mount = need("LAKEDROP_MOUNT_PATH")
    if not os.path.isabs(mount) or not os.path.isdir(mount):
        raise ConfigurationError(f"LAKEDROP_MOUNT_PATH {mount!r} is not an absolute path to a mounted directory")
    bucket = need("LAKEDROP_SOURCE_BUCKET")
    if not bucket:
        raise ConfigurationError("LAKEDROP_SOURCE_BUCKET is empty")
    subdirectory = need("LAKEDROP_SOURCE_SUBDIRECTORY")
    raw = need("LAKEDROP_MAX_BYTES")
    try:
        max_bytes = int(raw)
    except ValueError:
        max_bytes = -1
    if max_bytes < 0:
        raise ConfigurationError(f"LAKEDROP_MAX_BYTES must be a whole number of bytes (0 or more), not {raw!r}")
    propagate = need("LAKEDROP_PROPAGATE_DELETES").strip().lower()
    if propagate not in ("true", "false"):
        raise ConfigurationError(f"LAKEDROP_PROPAGATE_DELETES must be true or false, not {propagate!r}")
    return {
        "mount": mount,
        "bucket": bucket,
        "subdirectory": subdirectory,
        "max_bytes": max_bytes,
        "propagate_deletes": propagate == "true",
    }


# --- pure functions: what tests call -----------------------------------------------------------------


def _notification(message):
    """The S3 notification an SQS message carries (ValueError when its body is not JSON), unwrapped from an
    SNS envelope when S3 fans out through SNS."""
    body = json.loads(message.get("body") or "")
    envelope = isinstance(body, dict) and body.get("Type") == "Notification" and "Message" in body
    return json.loads(body["Message"]) if envelope else body


def parse_records(notification):
    """The records of one S3 notification as dicts (event "created" or "removed", key, version, sequencer,
    size). A test event has none. ValueError when the notification is not one S3 sends."""
    if not isinstance(notification, dict):
        raise ValueError("not a JSON object")
    if notification.get("Event") == "s3:TestEvent":
        return []
    records = notification.get("Records")
    if not isinstance(records, list) or not records:
        raise ValueError("no Records")
    found = []
    for record in records:
        name = str((record or {}).get("eventName", ""))
        obj = ((record or {}).get("s3") or {}).get("object") or {}
        if not isinstance(obj.get("key"), str):
            raise ValueError("a record without s3.object.key")
        kind = (
            "created" if name.startswith("ObjectCreated") else "removed" if name.startswith("ObjectRemoved") else None
        )
        if kind is None:
            raise ValueError(f"unexpected event {name!r}")
        version = obj.get("versionId")
        size = obj.get("size")
        found.append(
            {
                "event": kind,
                "key": unquote_plus(obj["key"]),  # S3 encodes keys in events, spaces as "+"
                "version": version if version and version != "null" else None,
                "sequencer": obj.get("sequencer") or None,
                "size": int(size) if isinstance(size, int) or (isinstance(size, str) and size.isdigit()) else None,
            }
        )
    return found


def messages_from_event(event):
    """[(sqs message id or None, [records] or None)]; None marks a body that is not an S3 notification."""
    records = (event or {}).get("Records") or []
    if not (records and records[0].get("eventSource") == "aws:sqs"):
        raw = [(None, lambda: event or {})]
    else:
        raw = [(m.get("messageId"), lambda m=m: _notification(m)) for m in records]
    out = []
    for message_id, read in raw:
        try:
            out.append((message_id, parse_records(read())))
        except (ValueError, TypeError, AttributeError):
            out.append((message_id, None))
    return out


def relative_path(key, subdirectory):
    """`key` relative to the location's subdirectory, or None when it lies outside or names the subdirectory
    itself (the trigger's rule: DataSync's S3 location reads the keys under "<subdirectory>/")."""
    sub = (subdirectory or "").strip("/")
    relative = key if not sub else key[len(sub) + 1 :] if key.startswith(sub + "/") else None
    return relative or None


def path_parts(relative):
    """The path components under the mount of a relative key, as DataSync writes it (the location's root is
    the access point's root; a key "<subdirectory>/a/b.csv" lands at "<mount>/a/b.csv"), or None when the key
    cannot be written there safely: an absolute key (a leading "/"), an empty, "." or ".." component (which
    would resolve elsewhere), a NUL byte."""
    parts = relative.split("/")
    if any(part in ("", ".", "..") or "\0" in part for part in parts):
        return None
    return parts


def sequencer_value(sequencer):
    """S3's sequencer as a number: for one key, the greater hexadecimal value is the later event. Values may
    differ in length, so they are compared as numbers, as the trigger compares them. None if unreadable."""
    try:
        return int(sequencer, 16) if sequencer else None
    except ValueError:
        return None


def is_newer(sequencer, applied):
    """Whether an event with `sequencer` comes after the one already applied (`applied`, a sequencer or None).
    Equal is not newer: a duplicate is a no-op. An event without a readable sequencer (hand-made) counts as
    newer, so it is applied; nothing already applied counts as older than anything."""
    new, old = sequencer_value(sequencer), sequencer_value(applied)
    if new is None or old is None:
        return True
    return new > old


def _crc32():
    class Crc32:
        def __init__(self):
            self.value = 0

        def update(self, data):
            self.value = zlib.crc32(data, self.value)

        def digest(self):
            return self.value.to_bytes(4, "big")

    return Crc32()


def _crt_checksums():
    """CRC32C and CRC64NVME hashers when awscrt is installed. The Lambda python3.12 runtime ships boto3 and
    botocore without awscrt, and the standard library has neither, so there objects whose only full-object
    checksum is one of these are verified by ETag or size instead."""
    try:
        from awscrt import checksums
    except ImportError:
        return {}

    def hasher(function, width):
        class Crt:
            def __init__(self):
                self.value = 0

            def update(self, data):
                self.value = function(data, self.value)

            def digest(self):
                return self.value.to_bytes(width, "big")

        return Crt

    found = {"CRC32C": hasher(checksums.crc32c, 4)}
    if hasattr(checksums, "crc64nvme"):
        found["CRC64NVME"] = hasher(checksums.crc64nvme, 8)
    return found


# S3's full-object checksums, strongest first, with a hasher factory for those this runtime can compute.
CHECKSUMS = {"SHA256": hashlib.sha256, "SHA1": hashlib.sha1, "CRC32": _crc32, **_crt_checksums()}
CHECKSUM_ORDER = ("SHA256", "SHA1", "CRC64NVME", "CRC32C", "CRC32")
SINGLE_PART_ETAG = re.compile(r"[0-9a-f]{32}")


def verification(response):
    """How a copy of this GetObject response is verified: ("checksum", algorithm, expected digest bytes),
    ("etag", "MD5", expected digest bytes) or ("size", None, None). A checksum counts only when it covers the
    whole object: a multipart upload's composite checksum ("<base64>-<parts>", ChecksumType COMPOSITE) is a
    checksum of part checksums. An ETag is the MD5 of the data only for a single-part upload (no "-<parts>")
    that is not encrypted with SSE-KMS, DSSE-KMS or SSE-C. The size is always checked too."""
    if response.get("ChecksumType") != "COMPOSITE":
        for algorithm in CHECKSUM_ORDER:
            value = response.get(f"Checksum{algorithm}")
            if not value or "-" in value or algorithm not in CHECKSUMS:
                continue
            try:
                return ("checksum", algorithm, base64.b64decode(value, validate=True))
            except ValueError:
                continue
    etag = (response.get("ETag") or "").strip('"').lower()
    encrypted = response.get("ServerSideEncryption") in ("aws:kms", "aws:kms:dsse") or response.get(
        "SSECustomerAlgorithm"
    )
    if SINGLE_PART_ETAG.fullmatch(etag) and not encrypted:
        return ("etag", "MD5", bytes.fromhex(etag))
    return ("size", None, None)


def hasher_for(kind, algorithm):
    if kind == "checksum":
        return CHECKSUMS[algorithm]()
    if kind == "etag":
        return hashlib.md5(usedforsecurity=False)
    return None


def state_name(key):
    """The state file of `key`, relative to <mount>/.lakedrop-fast/: <first 2 hex digits>/<sha256 of the key>."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:2], digest


def temporary_name(name):
    return f".{name}.lakedrop-{random.getrandbits(48):012x}.tmp"


# --- the file system -----------------------------------------------------------------------------------


def _open_directory(name, dir_fd, mode=None):
    """A descriptor of directory `name` in `dir_fd`, never following a symbolic link (a link swapped in
    cannot lead outside); created with `mode` (whatever the umask) when missing and `mode` is given.
    FileNotFoundError when it is missing and not created; Forward when it is a link or not a directory."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        if mode is None:
            raise
    except OSError as err:
        if err.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        found = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        raise Forward("symlink-in-path" if stat.S_ISLNK(found) else "not-a-directory-in-path") from err
    try:
        os.mkdir(name, mode, dir_fd=dir_fd)
    except FileExistsError:  # another invocation made it meanwhile
        return os.open(name, flags, dir_fd=dir_fd)
    fd = os.open(name, flags, dir_fd=dir_fd)
    os.fchmod(fd, mode)
    return fd


def open_parent(mount_fd, parts, create):
    """A descriptor of the directory that holds parts[-1], walked from the mount one component at a time."""
    fd = os.dup(mount_fd)
    try:
        for part in parts[:-1]:
            child = _open_directory(part, fd, DIRECTORY_MODE if create else None)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _create(name, dir_fd, mode):
    """A descriptor of a new file (never an existing file nor a symbolic link's target), written to only."""
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)


def _remove(name, dir_fd):
    try:
        os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        pass


class Inflight:
    """The registry of copies in progress: <mount>/.lakedrop-fast/inflight/<random hex>.json, JSON {"temporary":
    the temporary file's path relative to the mount}, written before that file is created and removed once it
    is renamed into place or removed. An invocation killed by Lambda's timeout runs no cleanup, so its entry
    stays; the runtime is replaced, and the next one's first invocation calls sweep()."""

    def __init__(self, mount_fd):
        self.mount_fd = mount_fd

    def _directory(self, create):
        top = _open_directory(STATE_DIRECTORY, self.mount_fd, STATE_DIRECTORY_MODE if create else None)
        try:
            return _open_directory(INFLIGHT_DIRECTORY, top, STATE_DIRECTORY_MODE if create else None)
        finally:
            os.close(top)

    def register(self, temporary):
        """The entry's name, once it names `temporary` durably (fsync'ed: a killed copy's entry survives it)."""
        name = f"{random.getrandbits(64):016x}.json"
        directory = self._directory(create=True)
        try:
            fd = _create(name, directory, STATE_FILE_MODE)
            try:
                os.write(fd, json.dumps({"temporary": temporary}, ensure_ascii=False).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        finally:
            os.close(directory)
        return name

    def release(self, name):
        directory = self._directory(create=True)
        try:
            _remove(name, directory)
        finally:
            os.close(directory)

    def sweep(self, older_than, deadline):
        """Removes the entries older than `older_than` seconds, and their temporary files. A live invocation's
        entries are younger than the function's timeout, so they are left alone; were one removed anyway (the
        timeout lowered under a running copy), that copy's rename fails and DataSync delivers the file."""
        try:
            directory = self._directory(create=False)
        except FileNotFoundError:
            return  # no copy ever registered
        try:
            for name in sorted(os.listdir(directory)):
                if now() > deadline:
                    return  # the records come first; the next cold start sweeps the rest
                try:
                    self._sweep_entry(directory, name, older_than)
                except (OSError, Forward) as err:  # never fails the invocation: the entry is tried again later
                    log(action="sweep-failed", entry=name, reason=f"{type(err).__name__}: {err}")
        finally:
            os.close(directory)

    def _sweep_entry(self, directory, name, older_than):
        found = os.stat(name, dir_fd=directory, follow_symlinks=False)
        if time.time() - found.st_mtime <= older_than:
            return  # a live copy's, or one killed too recently to tell
        temporary = self._temporary(directory, name) if stat.S_ISREG(found.st_mode) else None
        reason = remove_temporary(self.mount_fd, temporary)
        _remove(name, directory)
        log(action="swept", entry=name, temporary=temporary, reason=reason)

    @staticmethod
    def _temporary(directory, name):
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
        try:
            raw = os.read(fd, 65536)
        finally:
            os.close(fd)
        try:
            return json.loads(raw).get("temporary")
        except (ValueError, AttributeError):
            return None  # torn (killed while registering: its temporary file was not created yet)


def remove_temporary(mount_fd, temporary):
    """Removes a dead copy's temporary file named by an in-flight entry; the outcome, for the log. Only a regular
    file named as temporary_name() names it, at a safe path under the mount (no "..", no absolute path, no
    symbolic link on the way or at the end) is removed: the entries live on a shared file system."""
    parts = path_parts(temporary) if isinstance(temporary, str) else None
    if parts is None or parts[0] == STATE_DIRECTORY or not TEMPORARY_FILE.fullmatch(parts[-1]):
        return "refused-unsafe-entry"
    try:
        directory = open_parent(mount_fd, parts, create=False)
    except FileNotFoundError:
        return "already-absent"
    except Forward as refusal:
        return f"refused-{refusal}"
    try:
        try:
            found = os.stat(parts[-1], dir_fd=directory, follow_symlinks=False)
        except FileNotFoundError:
            return "already-absent"  # renamed into place or removed, then killed before its entry went
        if not stat.S_ISREG(found.st_mode):
            return "refused-not-a-file"
        os.unlink(parts[-1], dir_fd=directory)
        return "removed"
    finally:
        os.close(directory)


class State:
    """The greatest sequencer applied to one key, in <mount>/.lakedrop-fast/<xx>/<sha256 of the key>: JSON
    {"key", "sequencer", "deleted", "temporary"} ("temporary" names a copy's temporary file while it is being
    written, so the next invocation removes it if that copy was killed). Held under an exclusive flock on
    `<sha256>.lock` beside it (EFS supports NFSv4 locks) for the whole copy or delete; the state file is replaced
    atomically (written aside, fsync'ed, renamed over)."""

    def __init__(self, mount_fd, key, deadline):
        self.key = key
        shard, self.name = state_name(key)
        top = _open_directory(STATE_DIRECTORY, mount_fd, STATE_DIRECTORY_MODE)
        try:
            self.dir_fd = _open_directory(shard, top, STATE_DIRECTORY_MODE)
        finally:
            os.close(top)
        self.fd = None
        try:
            self._lock(deadline)
            self.data = self._read()
        except BaseException:
            self.close()
            raise

    def _lock(self, deadline):
        # A lock file of its own, never replaced: the state file is replaced by rename on every write, and a
        # lock held on a replaced (unlinked) file would no longer exclude anyone.
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(f"{self.name}.lock", flags, STATE_FILE_MODE, dir_fd=self.dir_fd)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if now() + LOCK_POLL_SECONDS > deadline:
                        raise Forward("busy-key") from None
                    time.sleep(LOCK_POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def _read(self):
        try:
            fd = os.open(self.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self.dir_fd)
        except FileNotFoundError:
            return {}
        raw = b""
        try:
            while chunk := os.read(fd, 65536):
                raw += chunk
        finally:
            os.close(fd)
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}  # a torn write cannot happen (rename); an unreadable file counts as nothing applied
        return data if isinstance(data, dict) and data.get("key") == self.key else {}

    @property
    def sequencer(self):
        return self.data.get("sequencer")

    def write(self, **fields):
        data = {"key": self.key, "sequencer": self.sequencer, "deleted": False, "temporary": None}
        data.update({k: v for k, v in self.data.items() if k in data})
        data.update(fields)
        aside = f"{self.name}.{random.getrandbits(32):08x}.tmp"
        fd = _create(aside, self.dir_fd, STATE_FILE_MODE)
        try:
            os.write(fd, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(aside, self.name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
        self.data = data

    def close(self):
        if self.fd is not None:
            os.close(self.fd)  # releases the flock
            self.fd = None
        os.close(self.dir_fd)


def stream_into(body, fd, expected_size, check, deadline):
    """Copy `body` (a streaming S3 body) into `fd` in chunks of at most CHUNK_BYTES, feeding `check` (a hasher
    or None); returns the bytes written. Raises Forward when the object grows past `expected_size` or the time
    budget runs out."""
    written = 0
    while True:
        chunk = body.read(CHUNK_BYTES)
        if not chunk:
            return written
        written += len(chunk)
        if written > expected_size:
            raise Forward("size-mismatch")
        if check is not None:
            check.update(chunk)
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
        if now() > deadline:
            raise Forward("time-budget")


# --- one record ------------------------------------------------------------------------------------------


class Job:
    """What one invocation needs: settings, the mount's descriptor, the time budget."""

    def __init__(self, config, mount_fd, deadline):
        self.config = config
        self.mount_fd = mount_fd
        self.deadline = deadline
        self.inflight = Inflight(mount_fd)

    def parts(self, key):
        """Path components, or None when the key is outside the prefix (Forward when it is unsafe)."""
        relative = relative_path(key, self.config["subdirectory"])
        if relative is None:
            return None
        parts = path_parts(relative)
        if parts is None:
            raise Forward("unsafe-path")
        if parts[0] == STATE_DIRECTORY:
            raise Refused("reserved-path")  # the fast path's own state: an upload must not forge or break it
        return parts

    def created(self, record):
        """(action, bytes, reason, extra) for an ObjectCreated record; Forward when DataSync should do it."""
        key = record["key"]
        if key.endswith("/"):
            return "skipped", 0, "folder-placeholder", {}  # DataSync's manifests name files only; so does the trigger
        try:
            parts = self.parts(key)
        except Refused as refusal:
            return "refused", 0, str(refusal), {}
        if parts is None:
            return "skipped", 0, "outside-prefix", {}
        limit = self.config["max_bytes"]
        if limit == 0:
            raise Forward("fast-path-off")
        if record["size"] is not None and record["size"] > limit:
            return self._hand_over(record)
        state = State(self.mount_fd, key, self.deadline)
        try:
            if not is_newer(record["sequencer"], state.sequencer):
                return "skipped", 0, "already-applied", {}
            return self._copy(record, parts, state)
        finally:
            state.close()

    def _hand_over(self, record):
        """A large object goes to DataSync, unless its version is no longer the current one (then the newer
        version's own event carries the key; handing the old one over could land it after the newer copy)."""
        if record["version"]:
            try:
                head = call("head_object", self.deadline, Bucket=self.config["bucket"], Key=record["key"])
            except ClientError as err:
                if error_code(err) in MISSING:
                    return "skipped", 0, "deleted-in-source", {}
                raise Forward(f"s3-{error_code(err) or 'error'}") from err
            current = head.get("VersionId")
            if current and current != "null" and current != record["version"]:
                return "skipped", 0, "not-current-version", {"current_version": current}
        raise Forward("too-large")

    def _copy(self, record, parts, state):
        key = record["key"]
        try:
            response = call("get_object", self.deadline, Bucket=self.config["bucket"], Key=key, ChecksumMode="ENABLED")
        except ClientError as err:
            if error_code(err) in MISSING:
                # Deleted before its copy: nothing to copy and nothing to hand DataSync (a manifest naming a
                # missing object fails that file). The delete's own event (if propagated) removes an older copy.
                return "skipped", 0, "deleted-in-source", {}
            raise Forward(f"s3-{error_code(err) or 'error'}") from err
        body = response["Body"]
        try:
            # The current version is read (one request, so what is read is current at that moment); the event
            # of an older version is skipped: the newer version's own event copies it.
            current = response.get("VersionId")
            if record["version"] and current and current != "null" and current != record["version"]:
                return "skipped", 0, "not-current-version", {"current_version": current}
            size = int(response.get("ContentLength", -1))
            if size < 0 or size > self.config["max_bytes"]:
                raise Forward("too-large" if size >= 0 else "no-content-length")
            kind, algorithm, expected = verification(response)
            written = self._write(parts, state, body, response, size, kind, algorithm, expected)
        finally:
            body.close()
        state.write(sequencer=record["sequencer"] or state.sequencer, deleted=False, temporary=None)
        return "copied", written, None, {"verified": algorithm or kind, "version": current}

    def _write(self, parts, state, body, response, size, kind, algorithm, expected):
        directory = open_parent(self.mount_fd, parts, create=True)
        try:
            left = state.data.get("temporary")
            if isinstance(left, str) and TEMPORARY_FILE.fullmatch(left) and "/" not in left:
                _remove(left, directory)  # left by a copy that was killed (timeout); never another name
            temporary = temporary_name(parts[-1])
            state.write(temporary=temporary)
            entry = self.inflight.register("/".join([*parts[:-1], temporary]))
            fd = _create(temporary, directory, FILE_MODE)
            try:
                check = hasher_for(kind, algorithm)
                written = stream_into(body, fd, size, check, self.deadline)
                if written != size:
                    raise Forward("size-mismatch")
                if check is not None and check.digest() != expected:
                    raise Forward(f"{algorithm.lower()}-mismatch")
                mtime = response["LastModified"].timestamp()
                os.fchmod(fd, FILE_MODE)  # whatever the umask
                os.utime(fd, (mtime, mtime))
                os.fsync(fd)
            except BaseException:
                os.close(fd)
                _remove(temporary, directory)
                self.inflight.release(entry)
                raise
            os.close(fd)
            os.replace(temporary, parts[-1], src_dir_fd=directory, dst_dir_fd=directory)
            self.inflight.release(entry)
            return written
        finally:
            os.close(directory)

    def removed(self, record):
        """(action, bytes, reason, extra) for an ObjectRemoved record."""
        key = record["key"]
        if not self.config["propagate_deletes"]:
            return "skipped", 0, "deletes-not-propagated", {}
        if key.endswith("/"):
            return "skipped", 0, "folder-placeholder", {}
        try:
            parts = self.parts(key)
        except Forward:
            return "refused", 0, "unsafe-path", {}
        if parts is None:
            return "skipped", 0, "outside-prefix", {}
        state = State(self.mount_fd, key, self.deadline)
        try:
            if not is_newer(record["sequencer"], state.sequencer):
                return "skipped", 0, "already-applied", {}
            try:
                head = call("head_object", self.deadline, Bucket=self.config["bucket"], Key=key)
            except ClientError as err:
                if error_code(err) not in MISSING:
                    raise Forward(f"s3-{error_code(err) or 'error'}") from err
            else:
                # The key has content again: a re-upload (its own event copies it too), or a removal that made
                # an older version current (a delete marker or the current version deleted) with no event of its
                # own. Either way EFS must show what S3 shows now.
                if int(head.get("ContentLength", 0)) > self.config["max_bytes"]:
                    raise Forward("exists-in-source-too-large")  # retried, then the dead-letter queue (replay)
                current = {**record, "version": None}
                return self._copy(current, parts, state)
            try:
                outcome = self._unlink(parts)
            except Forward as refusal:
                return "refused", 0, str(refusal), {}
            state.write(sequencer=record["sequencer"] or state.sequencer, deleted=True, temporary=None)
            return outcome
        finally:
            state.close()

    def _unlink(self, parts):
        try:
            directory = open_parent(self.mount_fd, parts, create=False)
        except FileNotFoundError:
            return "deleted", 0, "already-absent", {}
        try:
            try:
                found = os.stat(parts[-1], dir_fd=directory, follow_symlinks=False)
            except FileNotFoundError:
                return "deleted", 0, "already-absent", {}
            if stat.S_ISLNK(found.st_mode):
                raise Forward("symlink")
            if not stat.S_ISREG(found.st_mode):
                raise Forward("not-a-file")
            os.unlink(parts[-1], dir_fd=directory)
            return "deleted", found.st_size, None, {}
        finally:
            os.close(directory)

    def handle(self, message_id, record):
        """Whether the record is done (True) or must come back (False); logs one line either way."""
        handle = self.created if record["event"] == "created" else self.removed
        try:
            if now() > self.deadline:
                raise Forward("time-budget")
            action, size, reason, extra = handle(record)
        except Forward as forward:
            action, size, reason, extra = "forwarded", 0, str(forward), {}
        except Exception as err:  # noqa: BLE001 - one bad record never fails the others
            action, size, reason, extra = "forwarded", 0, f"error: {type(err).__name__}: {err}", {}
        log(
            message_id=message_id,
            event=record["event"],
            key=record["key"],
            sequencer=record["sequencer"],
            action=action,
            bytes=size,
            reason=reason,
            **extra,
        )
        return action != "forwarded"


def _remaining(context):
    return (context.get_remaining_time_in_millis() if context else 30_000) / 1000.0


def _deadline(remaining):
    return now() + max(0.0, remaining - min(RESERVE_SECONDS, remaining * 0.2))


def handler(event, context):
    config = settings(os.environ)
    remaining = _remaining(context)
    deadline = _deadline(remaining)
    messages = messages_from_event(event)
    failed = []
    mount_fd = os.open(config["mount"], os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        job = Job(config, mount_fd, deadline)
        if not _RUNTIME["swept"]:
            # A cold start: maybe the previous runtime was killed mid-copy. This invocation's remaining time
            # is about the function's timeout, which no live invocation's entry can be older than.
            _RUNTIME["swept"] = True
            job.inflight.sweep(remaining + SWEEP_MARGIN_SECONDS, deadline)
        for message_id, records in messages:
            if records is None:
                # Never dropped: as a failure it goes on to DataSync's queue (created) or the dead-letter queue.
                log(message_id=message_id, action="forwarded", bytes=0, reason="unreadable-body")
                failed.append(message_id)
                continue
            # Every record is attempted (a copy done is not undone by a sibling's failure; a retry skips it).
            done = [job.handle(message_id, record) for record in records]
            if not all(done):
                failed.append(message_id)
    finally:
        os.close(mount_fd)
    if any(message_id for message_id, _ in messages):
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
    if failed:
        raise RuntimeError("the event was not fully handled (see the log lines above)")
    return {}
