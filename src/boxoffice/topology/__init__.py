"""The production topology on one machine: a balancer, N app processes, a worker."""
