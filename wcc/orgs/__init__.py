"""Members of the union: the network, its provinces and their municipalities."""
