"""The labels and names that mark lab's containers, so none is ever left unaccounted for."""

LABEL = "lab.batch"  # every container lab starts carries it, so none is ever left unaccounted for
OWNER_LABEL = "lab.owner-pid"
# An image build's install container has labels of its own, and a name: `docker commit` copies
# a container's labels into the image, so containers later started from it (a user's `docker
# run`) carry them too. Only a name marks the install container itself.
BUILD_LABEL = "lab.build"
BUILD_OWNER_LABEL = "lab.build-owner-pid"
BUILD_NAME_PREFIX = "lab-build-"
