"""lakedrop.delivery.lambda_package: same source, same bytes, whatever the checkout's file dates."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

from support.ansible import run_module

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_package


def test_bytes_do_not_depend_on_order_or_dates(tmp_path):
    a = lambda_package.build([("a.py", b"print(1)\n"), ("b.py", b"x = 2\n")])
    b = lambda_package.build([("b.py", b"x = 2\n"), ("a.py", b"print(1)\n")])
    assert a == b
    assert lambda_package.build([("a.py", b"print(2)\n")]) != lambda_package.build([("a.py", b"print(1)\n")])


def test_entries_have_fixed_dates_and_modes():
    info = zipfile.ZipFile(io.BytesIO(lambda_package.build([("a.py", b"1")]))).getinfo("a.py")
    assert info.date_time == lambda_package.FIXED_DATE and info.external_attr == 0o644 << 16


def test_validate_names_every_problem(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "h.py").write_text("1")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "h.py").write_text("2")
    ok = {"src": [str(tmp_path / "a" / "h.py")], "dest": str(tmp_path / "out.zip")}
    assert lambda_package.validate(ok) == []

    problems = lambda_package.validate(
        {
            "src": [str(tmp_path / "a" / "h.py"), str(tmp_path / "b" / "h.py"), str(tmp_path / "a")],
            "dest": "/nowhere/x.zip",
        }
    )

    assert problems == [
        f"src {tmp_path / 'b' / 'h.py'} and {tmp_path / 'a' / 'h.py'} would both be stored as h.py.",
        f"src {tmp_path / 'a'} is not a readable file.",
        "dest directory /nowhere does not exist.",
    ]


def test_sha256():
    assert lambda_package.sha256(b"x") == hashlib.sha256(b"x").hexdigest() and lambda_package.sha256(None) is None


def test_result_describes_the_archive():
    data = lambda_package.build([("h.py", b"1")])

    new = lambda_package.result("out/x.zip", [("h.py", b"1")], data, None)
    same = lambda_package.result("out/x.zip", [("h.py", b"1")], data, data)

    assert new["changed"] and not same["changed"]
    assert new["files"] == ["h.py"] and new["size"] == len(data) and new["sha256"] == hashlib.sha256(data).hexdigest()
    assert new["diff"] == {"before": {"sha256": None}, "after": {"sha256": new["sha256"]}}
    assert same["diff"]["before"] == same["diff"]["after"]


def test_module_rewrites_only_on_change(tmp_path):
    src = tmp_path / "handler.py"
    src.write_text("def handler(e, c):\n    return 1\n")
    dest = tmp_path / "out.zip"
    first = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)})
    assert first.changed and dest.exists()
    os.utime(src, (1, 1))  # a fresh checkout has other dates: must not matter
    second = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)}, diff=True)
    assert not second.changed and second["sha256"] == first["sha256"]
    assert zipfile.ZipFile(dest).namelist() == ["handler.py"]
    src.write_text("def handler(e, c):\n    return 2\n")
    check = run_module(None, "lambda_package", {"src": [str(src)], "dest": str(dest)}, check=True)
    assert check.changed and check["sha256"] != first["sha256"]
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == first["sha256"]  # untouched


def test_bad_input(tmp_path):
    result = run_module(
        None, "lambda_package", {"src": [str(tmp_path / "missing.py")], "dest": str(tmp_path / "x" / "y.zip")}
    )
    assert result.failed and "missing.py is not a readable file" in result["msg"] and "does not exist" in result["msg"]
