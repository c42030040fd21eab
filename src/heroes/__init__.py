"""HEROES: an open toolkit against trafficking in human beings and child sexual abuse."""

__version__ = "0.1.0"
