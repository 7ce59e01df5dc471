"""Insights (DESIGN section 12): what drives loyalty and value, what customers write about, and
whether satisfaction predicts repeat business. One module per analysis."""
