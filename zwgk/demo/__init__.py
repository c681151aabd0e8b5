"""The bundled demo portal (示范市人民政府): generated, deterministic, served on loopback."""
