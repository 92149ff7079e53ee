"""The review chain: district → city → province → ministry decisions, forwarding rules, expert panels,
credit checks and deadlines."""
