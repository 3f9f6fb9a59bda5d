"""Every report of a year: targets, plan, a pool of warm workers, manifests, the run record and the index."""
