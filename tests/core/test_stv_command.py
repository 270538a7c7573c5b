"""`leveller stv count` through the real console entry point."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARD = ROOT / "tests/data/stv/edinburgh2017/ward_13_-_leith_-_preference_profile_report.blt"


def run(*args):
    return subprocess.run([sys.executable, "-m", "leveller", "stv", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_leveller_stv_count_prints_the_result_as_json():
    result = run("count", str(WARD), "--rules", "scottish", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rules"] == "scottish"
    assert data["seats"] == 3
    assert data["quota"] == "1904.00000"
    assert sorted(data["elected"]) == sorted(["Chas BOOTH", "Adam MCVEY", "Gordon John MUNRO"])


def test_leveller_stv_count_names_the_line_of_a_bad_file(tmp_path):
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n1 1 4 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n")
    result = run("count", str(bad))
    assert result.returncode == 2
    assert "line 2" in result.stderr
    assert "Traceback" not in result.stderr
