"""The portfolio over time: periods, the figures rebuilt from the dated history, the council pack."""
