"""What worked: public engagement counts per published post, collected at set times after
publishing, rolled up along what the library knows (message, statistic, claim, card, language,
platform, account, weekday, slot); and the UTM tags on the campaign's links."""
