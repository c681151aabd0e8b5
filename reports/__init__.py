"""Reports: the HTML self-inspection report and the machine formats, all read from the
database (a report never recomputes a check)."""
