"""Exact money: ISO 4217 currencies, their minor units, and conversion to stored integers."""

from decimal import Decimal

# Minor-unit exponents of ISO 4217; currencies not listed here use 2.
_EXPONENTS = {code: 3 for code in "BHD IQD JOD KWD LYD OMR TND".split()} | {
    code: 0 for code in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()
}

# Active ISO 4217 codes (2025), so a typo such as "EUD" is refused rather than stored.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND
    VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
    """.split()
)

# Upper bound for any single amount, in major units: far above any budget line, far below
# the 64-bit integer range the database stores minor units in.
MAX_AMOUNT = Decimal("1e15")


def minor_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """Minor units of `amount`; ValueError if it has more decimals than the currency allows."""
    exponent = minor_exponent(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {exponent} decimal places")
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """The exact amount for `minor` units, written with the currency's decimals ("12.50")."""
    exponent = minor_exponent(currency)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))
