"""A document's program inside an environment: run as written, in a fresh child of the warm worker.

`child.py` runs one program in the current process (a forked child, or with isolation 'process'
a new interpreter) and `upgrade.py` runs TensorFlow's tf_upgrade_v2 over program texts. The fork
server itself is the guest's, shared with the trials (lab/guest/server.py). Standard library
only, Python 3.7 and up.
"""
