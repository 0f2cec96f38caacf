"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class UserError(Exception):
    """Bad input from the user: a missing file, a file that is not a NIfTI volume, ..."""
