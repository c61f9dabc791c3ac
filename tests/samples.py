"""Sample files shared by several tests."""

USER_MOVEMENT = """
[[movement]]
id = "jaw-release"
name = "Jaw release"
region = "neck"
position = "either"
seconds = 30
cue = "Let your teeth part a little and your jaw hang, soften over a count of 8."
steps = ["Part the teeth.", "Let the jaw hang, softening over a count of 8."]
why = "A clenched jaw pulls on the neck."
gentler = "Only notice the jaw."
"""
