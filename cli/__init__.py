"""albform.cli: click commands and their views. Thin: parse arguments, build the view, wire a
backend + provider + front end, call one engine function, render, return an exit code."""
