"""DSR Atlas: cited country records on China's Digital Silk Road, as an offline map site."""

__version__ = "0.1.0"
TITLE = "DSR Atlas: China's Digital Silk Road"
