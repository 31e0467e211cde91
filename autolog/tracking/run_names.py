"""Readable generated run names such as ``brave-owl-417``."""

import random

_ADJECTIVES = (
    "able amber bold brave bright calm clever crisp eager fair fast fierce gentle glad grand "
    "happy honest keen kind lively lucky merry mighty neat nimble noble polite proud quick "
    "quiet rapid sharp shiny silent smart snug steady sunny swift tidy upbeat vivid warm wise"
).split()
_NOUNS = (
    "ant bass bat bear bee bird boar carp cat colt crab crow deer dove duck eel elk finch "
    "fox frog gnu goat hare hawk heron ibis jay kite koala lark lion lynx mole moth newt "
    "orca otter owl panda quail ram robin seal shark sloth snail swan toad trout wasp wolf yak"
).split()


def generate_run_name() -> str:
    """Return a random ``adjective-noun-number`` name."""
    return f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{random.randint(100, 999)}"
