"""UserError: bad input from the user, which the command line reports as one line and exit status 2."""
import pytest

from cyclemedgan import cli
from cyclemedgan.errors import UserError


def test_a_user_error_reaches_the_user_as_its_message_on_one_line(monkeypatch, capsys):
    def fail(args):
        raise UserError("volume of subject S001 not found: data/S001_T1.nii.gz")

    monkeypatch.setattr(cli, "run", fail)
    with pytest.raises(SystemExit) as e:
        cli.main(["train"])
    assert e.value.code == 2
    out = capsys.readouterr()
    assert out.err == "cyclemedgan: error: volume of subject S001 not found: data/S001_T1.nii.gz\n"
    assert out.out == ""
    assert not issubclass(UserError, OSError)  # never reported as an OS error (strerror, filename)
    with pytest.raises(UserError, match="S001 not found"):  # --debug: the exception itself, traceback and all
        cli.main(["--debug", "train"])
