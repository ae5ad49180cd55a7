"""The benchmark (make bench): the demo under gunicorn, timed. Not part of the app."""
