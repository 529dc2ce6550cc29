"""The verbatim runner inside an environment: an article's program run as written, in a fresh state.

`python -m lab.guest.verbatim --request R --out RESULTS` imports TensorFlow once, then runs each
requested program in a child forked from that warm process (or, with isolation 'process', in a
new interpreter), and writes one JSON line per program. Standard library only, Python 3.7 and up.
"""
