"""Headless notebook execution (`cloudbook run`)."""
