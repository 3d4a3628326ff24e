"""The organiser's after-sale rules of a show: transfer, refunds, resale, waiting list offers, rotating codes."""
