"""The shared core every HEROES tool stands on."""
