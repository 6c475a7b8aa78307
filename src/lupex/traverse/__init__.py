"""lupex.traverse layer."""
