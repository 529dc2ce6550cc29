"""A twin that does nothing but record one value: what a trial costs beyond its twin's own work."""

from lab.guest import Source, scenario


@scenario("bench-noop", source=Source("bench", "the cost of a trial"))
class Noop:
    """Records its mode's name, nothing else."""

    def graph(tf, obs):
        obs.record("mode", "graph")

    def eager(tf, obs):
        obs.record("mode", "eager")
