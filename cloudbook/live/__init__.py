"""Live notebooks held by the service: shared documents and the executor writing into them."""
