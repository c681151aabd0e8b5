"""The scan database and the files beside it: the ground floor every other package stands on.

``schema`` says what a zwgk database is; ``sqlite`` keeps it in a file (the crawl always writes one);
``postgres`` on a server shared by many machines, filled by publishing a checked SQLite scan;
``connect`` opens either for checks, reports and batches; ``packing`` is how cached bytes and
objects are kept; ``integrity`` checks a file before it is trusted and sets a damaged cache aside.
Nothing here imports the crawler, the checks, the reports or the command line.
"""
