"""The sandbox lab: real SSH hosts in chroots on overlays of one debootstrap image.

Lab-only: nothing in this package is used when `provision` manages a real machine.
"""
