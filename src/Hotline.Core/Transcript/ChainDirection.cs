namespace Hotline.Core.Transcript;

/// <summary>
/// One direction of a link's transcript. Node A is the node with the bytewise lower identity key,
/// so both nodes name the directions the same way.
/// </summary>
public enum ChainDirection
{
    AtoB = 0,
    BtoA = 1,
}
