"""Privacy: IP anonymisation, tracking exclusions, consent and Do-Not-Track, GDPR tools."""
